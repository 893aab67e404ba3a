import Foundation
import GutsTestSupport
import GutsMaintenance
import GutsStorage

/// A git repository with every entry kind `git archive` treats specially, imported into storage.
struct ArchiveFixture {
    let directory: String
    let source: String
    let storage: Storage
    let lfs: LFSObjectStore
    let repository: Repository

    static let longDirectory = String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 60)

    init() async throws {
        directory = try Shell.temporaryDirectory("archive")
        source = directory + "/src"
        try Shell.check("""
            git init -q -b main src && cd src
            mkdir -p a/b/c deep/x/y only-dirs/empty-chain '\(Self.longDirectory)'
            echo hello > README
            printf '#!/bin/sh\\necho hi\\n' > run.sh && chmod +x run.sh
            echo nested > a/b/c/file.txt
            printf 'bin\\0ary' > deep/x/y/data.bin
            : > empty.txt
            ln -s README link
            ln -s ../../README a/b/up-link
            ln -s '\(String(repeating: "t", count: 120))' long-link
            echo long > '\(Self.longDirectory)/\(String(repeating: "f", count: 90)).txt'
            echo unsplittable > '\(String(repeating: "u", count: 120))'
            git add -A
            git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,vendor/sub
            GIT_COMMITTER_DATE='1700000000 +0200' GIT_AUTHOR_DATE='1700000000 +0200' git commit -q -m init
            git tag -a v1 -m 'release'
            echo more >> README
            GIT_COMMITTER_DATE='1700003600 +0000' git commit -q -am second
            """, in: directory)
        storage = Storage.inMemory()
        lfs = LFSObjectStore(directory: directory + "/lfs-store")
        try await GitMigrator(storage: storage, lfs: lfs).importRepository(from: source, as: "test/archive", scratch: directory)
        repository = try storage.repositories.get(name: "test/archive")!
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
