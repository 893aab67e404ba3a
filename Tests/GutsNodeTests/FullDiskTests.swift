import Foundation
import GutsTestSupport
import Testing

/// A node whose disk fills up refuses the push that does not fit with a message git
/// prints, keeps nothing of it, and goes on serving what it already had.
@Suite(.serialized) struct FullDiskTests {
    @Test func aPushThatDoesNotFitIsRefusedAndReadsGoOn() throws {
        let mount = try Shell.temporaryDirectory("small-disk")
        defer { try? FileManager.default.removeItem(atPath: mount) }
        try Shell.check("mount -t tmpfs -o size=48m tmpfs '\(mount)'", in: mount)
        defer { _ = try? Shell.run("umount -l '\(mount)'", in: "/") }
        let node = try NodeProcess(dataDirectory: mount + "/data")
        let work = try Shell.temporaryDirectory("full-disk")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("""
            git init -q -b main small && cd small && echo hello > a.txt && git add a.txt && git commit -qm small
            git push -q '\(node.authenticatedURL("disk/small"))' main
            cd .. && git init -q -b main big && cd big && head -c 80000000 /dev/urandom > big.bin && git add big.bin && git commit -qm big
            """, in: work)
        let before = try Shell.check("git ls-remote '\(node.anonymousURL("disk/small"))'", in: work)
        let push = try Shell.run("git push '\(node.authenticatedURL("disk/big"))' main", in: work + "/big")
        #expect(push.status != 0)
        #expect(push.stderr.localizedCaseInsensitiveContains("no space left on device"), "\(push.stderr)")
        #expect(try Shell.run("git ls-remote '\(node.authenticatedURL("disk/big"))'", in: work).stdout.isEmpty)
        #expect(try Shell.check("git ls-remote '\(node.anonymousURL("disk/small"))'", in: work) == before)
        try Shell.check("git clone -q '\(node.anonymousURL("disk/small"))' again && test -f again/a.txt", in: work)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: mount + "/data/tmp").filter { $0.hasPrefix("push-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        node.stop()
    }
}
