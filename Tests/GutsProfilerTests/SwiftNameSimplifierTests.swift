import Testing
@testable import GutsProfiler

@Suite struct SwiftNameSimplifierTests {
    /// Full demangled names (from `swift demangle` of symbols of the guts binary) and what a
    /// flame graph shows for them.
    @Test(arguments: [
        ("GutsGit.CommitNode.init(decoding: [Swift.UInt8]) -> GutsGit.CommitNode?", "GutsGit.CommitNode.init(decoding:)", SwiftNameSimplifier.Role.function),
        ("closure #1 (Swift.Int) -> GutsGit.ObjectID in GutsGit.CommitNode.init(decoding: [Swift.UInt8]) -> GutsGit.CommitNode?",
         "closure in GutsGit.CommitNode.init(decoding:)", .function),
        ("partial apply forwarder for closure #1 (Swift.Int) -> GutsGit.ObjectID in GutsGit.CommitNode.init(decoding: [Swift.UInt8]) -> GutsGit.CommitNode?",
         "closure in GutsGit.CommitNode.init(decoding:)", .forwarder),
        ("closure #2 () async throws -> () in closure #1 @Sendable () async -> () in GutsNode.Server.run(_: Swift.Int, name: Swift.String) async throws -> ()",
         "closure in closure in GutsNode.Server.run(_:name:)", .function),
        ("reabstraction thunk helper from @escaping @callee_guaranteed (@guaranteed GutsStorage.CacheStatistics) -> (@unowned Swift.Double) to @escaping @callee_guaranteed (@in_guaranteed GutsStorage.CacheStatistics) -> (@out Swift.Double)",
         "reabstraction thunk", .thunk),
        ("partial apply forwarder for reabstraction thunk helper from @escaping @callee_guaranteed (@guaranteed GutsStorage.CacheStatistics) -> (@unowned Swift.Double) to @escaping @callee_guaranteed (@in_guaranteed GutsStorage.CacheStatistics) -> (@out Swift.Double) with unmangled suffix \".12\"",
         "reabstraction thunk", .thunk),
        ("generic specialization <serialized, Foundation.JSONSerialization.ReadingOptions> of static Swift.Array._allocateUninitialized(Swift.Int) -> ([A], Swift.UnsafeMutablePointer<A>)",
         "Array._allocateUninitialized(_:)", .function),
        ("generic specialization <serialized, Swift.Substring.UTF8View> of (extension in Swift):Swift.Sequence._copySequenceContents(initializing: Swift.UnsafeMutableBufferPointer<A.Element>) -> (A.Iterator, Swift.Int)",
         "Sequence._copySequenceContents(initializing:)", .function),
        ("function signature specialization <Arg[2] = Value Promoted from Box> of closure #1 (ArgumentParser.Tree<A>) -> ArgumentParser.Tree<A>? in ArgumentParser.Tree.path(toFirstWhere: (A) -> Swift.Bool) -> [ArgumentParser.Tree<A>]",
         "closure in ArgumentParser.Tree.path(toFirstWhere:)", .function),
        ("(2) suspend resume partial function for static CoreMetrics.MetricsSystem.withTaskLocalFactory<A>(_: CoreMetrics.MetricsFactory, operation: nonisolated(nonsending) () async throws -> A) async throws -> A",
         "CoreMetrics.MetricsSystem.withTaskLocalFactory(_:operation:)", .function),
        ("protocol witness for Swift.CustomStringConvertible.description.getter : Swift.String in conformance GutsGit.GitObjectError : Swift.CustomStringConvertible in GutsGit",
         "protocol witness for CustomStringConvertible.description.getter", .thunk),
        ("Algorithms.SplitSequence.Iterator.splitCount.modify : Swift.Int with unmangled suffix \".resume.0\"", "Algorithms.SplitSequence.Iterator.splitCount.modify", .function),
        ("GutsNode.(RequestRouter in _C0986C0888629E80F0AD5E839B278C98).route<A>(_: A, depth: Swift.Int) -> ()", "GutsNode.RequestRouter.route(_:depth:)", .function),
        ("merged GutsGit.PackWriter.finish() throws -> [Swift.UInt8]", "GutsGit.PackWriter.finish()", .function),
        ("default argument 1 of static Foundation.JSONSerialization.jsonObject(with: FoundationEssentials.Data, options: Foundation.JSONSerialization.ReadingOptions) throws -> Any",
         "default argument of Foundation.JSONSerialization.jsonObject(with:options:)", .function),
        ("outlined destroy of Algorithms.SplitSequence<A>.Iterator", "outlined destroy of Algorithms.SplitSequence.Iterator", .function),
        ("dispatch thunk of GutsStorage.ObjectStore.get(_: GutsGit.ObjectID) throws -> [Swift.UInt8]?", "GutsStorage.ObjectStore.get(_:)", .forwarder),
        ("main", "main", .function),
    ] as [(String, String, SwiftNameSimplifier.Role)])
    func simplifies(_ full: String, readable: String, role: SwiftNameSimplifier.Role) {
        #expect(SwiftNameSimplifier.simplify(full) == SwiftNameSimplifier.Readable(name: readable, role: role))
    }

    /// Every demangled name of a real binary simplifies without trapping, to something shorter
    /// with balanced parentheses.
    @Test func namesOfThisBinarySimplifyToShorterBalancedNames() throws {
        let table = try #require(ELFSymbolTable.load(path: "/proc/self/exe"))
        var checked = 0
        for symbol in table.symbols.lazy.filter({ Demangler.isSwiftMangled($0.name) }).prefix(20_000) {
            guard let full = Demangler.swiftDemangle(symbol.name) else { continue }
            let readable = SwiftNameSimplifier.simplify(full).name
            #expect(!readable.isEmpty && readable.count <= full.count, "\(full) -> \(readable)")
            #expect(readable.filter { $0 == "(" }.count == readable.filter { $0 == ")" }.count, "\(full) -> \(readable)")
            checked += 1
        }
        #expect(checked > 1000)
    }

    /// Thunks fold into their caller; a forwarder folds beside the function it forwards to and
    /// stays where it is all there is of that function; recursion is kept.
    @Test func symbolizerFoldsThunksAndForwarders() {
        func frame(_ name: String, _ role: SwiftNameSimplifier.Role = .function) -> Profile.Frame {
            Profile.Frame(name: name, systemName: "$s" + name, role: role)
        }
        let stack = [
            frame("main"), frame("reabstraction thunk", .thunk), frame("closure in F"), frame("closure in F", .forwarder),
            frame("G(x:)", .forwarder), frame("H"), frame("H"), frame("protocol witness for P.f()", .thunk),
        ]
        #expect(Symbolizer.foldingForwarders(stack).map(\.name) == ["main", "closure in F", "G(x:)", "H", "H"])
        let thunks = [frame("main"), frame("thunk", .thunk)]
        #expect(Symbolizer.foldingForwarders(thunks).map(\.name) == ["main"])
        #expect(Symbolizer.foldingForwarders([frame("thunk", .thunk)]).map(\.name) == ["thunk"])
    }
}
