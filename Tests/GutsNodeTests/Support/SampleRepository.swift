import Foundation
import GutsTestSupport

/// A non-bare repository with the shape of real history, made by the stock git:
/// hundreds of commits, merges, many branches, lightweight and annotated tags, an
/// executable, a symlink, a submodule gitlink, binary and empty files.
enum SampleRepository {
    static let script = #"""
    git init -q -b main .
    n=0
    commit() {
        n=$((n+1))
        export GIT_AUTHOR_DATE="$((1700000000 + n * 60)) +0000" GIT_COMMITTER_DATE="$((1700000000 + n * 60)) +0000"
        git add -A -- . ':!vendor/lib'
        git commit -q -m "$1"
    }
    mkdir -p src docs assets
    for i in $(seq 1 300); do echo "line $i of a file that changes a little in every commit"; done > src/main.txt
    printf '#!/bin/sh\necho run\n' > run.sh; chmod +x run.sh
    ln -s src/main.txt link-to-main
    : > empty.txt
    head -c 20000 /dev/urandom > assets/blob.bin
    commit "initial"
    git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),vendor/lib
    git commit -q -m "add submodule gitlink"
    for b in $(seq 1 12); do
        git checkout -q -b "feature/$b" main
        for i in $(seq 1 8); do
            mkdir -p docs; echo "feature $b change $i" >> "docs/feature-$b.md"
            sed -i "$(( (b * 8 + i) % 300 + 1 ))s/.*/edited by feature $b step $i/" src/main.txt
            commit "feature $b step $i"
        done
        git checkout -q main
        for i in $(seq 1 12); do
            mkdir -p docs; echo "main $b.$i" >> docs/log.md
            commit "main work $b.$i"
        done
        if [ $((b % 3)) -ne 0 ]; then
            n=$((n+1)); export GIT_AUTHOR_DATE="$((1700000000 + n * 60)) +0000" GIT_COMMITTER_DATE="$((1700000000 + n * 60)) +0000"
            git merge -q --no-ff -m "merge feature $b" "feature/$b" || { git checkout --theirs . && git add -A && git commit -q -m "merge feature $b"; }
        fi
        if [ $((b % 4)) -eq 0 ]; then git tag "light-$b"; fi
        if [ $((b % 4)) -eq 1 ]; then git tag -a "v1.$b" -m "release 1.$b"; fi
    done
    head -c 5000 /dev/urandom >> assets/blob.bin
    commit "grow the binary"
    """#

    /// Builds the repository in a new temporary directory and returns its path.
    static func make() throws -> String {
        let directory = try Shell.temporaryDirectory("sample")
        try Shell.check(script, in: directory)
        return directory
    }

    /// `<id> <ref>` for every ref, sorted; what two repositories with equal refs share.
    static func refs(in directory: String) throws -> String {
        try Shell.check("git for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags", in: directory)
    }
}
