import Foundation
@testable import GutsGit

/// Runs stock git deterministically (no user or system config, fixed identities).
enum GitTool {
    struct Failure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var stderr: String
        var description: String { "`\(command)` exited \(status): \(stderr)" }
    }

    static let environment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_AUTHOR_NAME"] = "Ada Author"
        env["GIT_AUTHOR_EMAIL"] = "ada@example.com"
        env["GIT_COMMITTER_NAME"] = "Cy Committer"
        env["GIT_COMMITTER_EMAIL"] = "cy@example.com"
        env["GIT_AUTHOR_DATE"] = "1700000000 +0100"
        env["GIT_COMMITTER_DATE"] = "1700000000 -0230"
        return env
    }()

    /// Runs `script` with bash in `directory`; stdin from `input`, returns stdout.
    @discardableResult
    static func shell(_ script: String, in directory: String, input: [UInt8] = []) throws -> [UInt8] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gutsgit-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inPath = scratch.appendingPathComponent("in").path
        let outPath = scratch.appendingPathComponent("out").path
        let errPath = scratch.appendingPathComponent("err").path
        for (path, contents) in [(inPath, Data(input)), (outPath, Data()), (errPath, Data())] {
            guard FileManager.default.createFile(atPath: path, contents: contents) else {
                throw Failure(command: "create \(path)", status: -1, stderr: "cannot create file")
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -e\n" + script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle(forReadingAtPath: inPath)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        process.waitUntilExit()
        let stdout = [UInt8](FileManager.default.contents(atPath: outPath) ?? Data())
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
            throw Failure(command: script, status: process.terminationStatus, stderr: stderr)
        }
        return stdout
    }

    static func text(_ script: String, in directory: String, input: [UInt8] = []) throws -> String {
        String(decoding: try shell(script, in: directory, input: input), as: UTF8.self)
    }

    static func makeTemporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gutsgit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Parses `git cat-file --batch` output into objects keyed by id.
    static func parseBatch(_ output: [UInt8]) throws -> [ObjectID: RawObject] {
        var result: [ObjectID: RawObject] = [:]
        var position = 0
        while position < output.count {
            guard let newline = output[position...].firstIndex(of: 10) else { break }
            let fields = String(decoding: output[position..<newline], as: UTF8.self).split(separator: " ")
            guard fields.count == 3, let id = ObjectID(hex: fields[0]), let type = ObjectType(name: fields[1]),
                  let size = Int(fields[2]) else { throw Failure(command: "cat-file parse", status: 0, stderr: "bad line") }
            let body = Array(output[(newline + 1)..<(newline + 1 + size)])
            result[id] = RawObject(type: type, body: body)
            position = newline + 1 + size + 1
        }
        return result
    }
}

/// A repository with varied history built once by stock git and shared by tests.
struct GitFixture: Sendable {
    let directory: String
    /// Every object in the repository, from `git cat-file --batch-all-objects --batch`.
    let objects: [ObjectID: RawObject]

    static let shared: Result<GitFixture, any Error> = Result { try GitFixture.build() }

    static func get() throws -> GitFixture { try shared.get() }

    static let script = #"""
    n=0
    commit() {
        n=$((n+1))
        export GIT_AUTHOR_DATE="$((1700000000 + n * 60)) +0100" GIT_COMMITTER_DATE="$((1700000000 + n * 60)) -0230"
        git add -A
        git commit -q -m "$1" -m "Body of commit $n."
    }
    git init -q -b main .
    mkdir -p src docs sub
    for i in $(seq 1 200); do echo "line $i of the big file, padded with enough text to be worth a delta"; done > src/big.txt
    printf '#!/bin/sh\necho hi\n' > run.sh; chmod +x run.sh
    ln -s src/big.txt link
    : > empty
    head -c 4096 /dev/urandom > blob.bin
    echo readme > README
    commit "initial"
    git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),sub
    commit "add submodule"
    for i in $(seq 1 30); do
        sed -i "${i}s/.*/changed line $i in round $i/" src/big.txt
        echo "note $i" >> docs/notes.md
        commit "main change $i"
    done
    git checkout -q -b feature HEAD~10
    for i in $(seq 1 15); do
        echo "feature $i" >> src/feature.txt
        sed -i "$((100 + i))s/.*/feature edit $i/" src/big.txt
        commit "feature $i"
    done
    git tag light-feature
    git checkout -q main
    n=$((n+1)); export GIT_AUTHOR_DATE="$((1700000000 + n * 60)) +0100" GIT_COMMITTER_DATE="$((1700000000 + n * 60)) -0230"
    git merge -q --no-ff -m "merge feature" feature
    git checkout -q -b topic
    for i in $(seq 1 10); do
        head -c 100 /dev/urandom >> blob.bin
        mkdir -p deep/a/b; echo "deep $i" > deep/a/b/f$i
        commit "topic $i"
    done
    git tag -a topic-tag -m "tag for merging"
    git checkout -q main
    for i in $(seq 1 10); do
        sed -i "$((150 + i))s/.*/late main edit $i/" src/big.txt
        commit "late main $i"
    done
    n=$((n+1)); export GIT_AUTHOR_DATE="$((1700000000 + n * 60)) +0100" GIT_COMMITTER_DATE="$((1700000000 + n * 60)) -0230"
    git merge -q --no-ff -m "merge topic tag" topic-tag
    git branch old HEAD~3
    git tag -a v1.0 -m "release 1.0" -m "with a longer body"
    git tag -a v1.0-tree -m "tag of a tree" 'HEAD^{tree}'
    git tag -a nested -m "tag of a tag" v1.0 2>/dev/null
    chmod -x run.sh
    commit "no longer executable"
    printf 'caf\xe9\n' > latin1.txt
    git add -A
    n=$((n+1)); export GIT_AUTHOR_DATE="$((1700000000 + n * 60)) +0100" GIT_COMMITTER_DATE="$((1700000000 + n * 60)) -0230"
    git -c i18n.commitEncoding=ISO-8859-1 commit -q -m "$(printf 'latin1 caf\xe9')"
    git rm -q empty
    commit "delete the empty file"
    {
        echo "tree $(git rev-parse 'HEAD^{tree}')"
        echo "parent $(git rev-parse HEAD)"
        echo "author Ada Author <ada@example.com> 1700009000 +0100"
        echo "committer Cy Committer <cy@example.com> 1700009000 +0100"
        echo "gpgsig -----BEGIN PGP SIGNATURE-----"
        echo " "
        echo " iQEzBAABCAAdFiEEfakefakefakefake"
        echo " -----END PGP SIGNATURE-----"
        echo
        echo "signed-looking commit"
    } > signed.txt
    git update-ref refs/heads/signed $(git hash-object -t commit -w signed.txt)
    rm signed.txt
    """#

    static func build() throws -> GitFixture {
        let directory = try GitTool.makeTemporaryDirectory()
        try GitTool.shell(script, in: directory)
        let batch = try GitTool.shell("git cat-file --batch-all-objects --batch", in: directory)
        return GitFixture(directory: directory, objects: try GitTool.parseBatch(batch))
    }

    /// Ids git lists for `git rev-list --objects <arguments>`.
    func revListObjects(_ arguments: String) throws -> Set<ObjectID> {
        let text = try GitTool.text("git rev-list --objects \(arguments)", in: directory)
        return Set(text.split(separator: "\n").compactMap { ObjectID(hex: $0.prefix(40)) })
    }

    /// The ids every ref points at (what `--all` starts from).
    func allRefTips() throws -> [ObjectID] {
        try GitTool.text("git for-each-ref --format='%(objectname)'", in: directory).split(separator: "\n").compactMap { ObjectID(hex: $0) }
    }

    func revParse(_ name: String) throws -> ObjectID {
        let text = try GitTool.text("git rev-parse '\(name)'", in: directory)
        return ObjectID(hex: text.trimmingCharacters(in: .whitespacesAndNewlines))!
    }
}
