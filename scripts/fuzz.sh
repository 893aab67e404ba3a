#!/usr/bin/env bash
# Builds and runs the libFuzzer targets in Fuzz/ (see docs/FUZZING.md).
#
#   scripts/fuzz.sh [--runs N | --seconds S] [--src DIR] [--no-build] [target...]
#
# Targets: pktline pack objects refname gzipbody (default: all). Sources/GutsCompression
# is built once as a module of its own (GutsGit imports it); then each target is one
# swiftc invocation that compiles the project's own sources (Sources/GutsGit/*.swift,
# plus two GutsStorage files for refname) together with Fuzz/Fuzz<Target>.swift into one
# module, all with -sanitize=fuzzer,address. Binaries, generated seeds, the growing corpus and
# crash artifacts go under .build-fuzz/ (git-ignored).
#
# Without --runs/--seconds each target runs for 20 seconds (a smoke test for CI).
# Exits non-zero if any target fails to build or finds a crash, leak, OOM or timeout.
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc),
#   FUZZ_JOBS is not supported on purpose: targets run one at a time.
#   FUZZ_EXTRA_ARGS is appended to every libFuzzer command line.
set -euo pipefail

ALL_TARGETS=(pktline pack objects refname gzipbody)

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT
MODE=(-max_total_time=20)
MODE_TEXT="20 seconds"
BUILD=1
TARGETS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) [ $# -ge 2 ] || usage 2; MODE=(-runs="$2"); MODE_TEXT="$2 runs"; shift 2 ;;
        --runs=*) MODE=(-runs="${1#*=}"); MODE_TEXT="${1#*=} runs"; shift ;;
        --seconds) [ $# -ge 2 ] || usage 2; MODE=(-max_total_time="$2"); MODE_TEXT="$2 seconds"; shift 2 ;;
        --seconds=*) MODE=(-max_total_time="${1#*=}"); MODE_TEXT="${1#*=} seconds"; shift ;;
        --src) [ $# -ge 2 ] || usage 2; SRC=$(cd "$2" && pwd); shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; usage 2 ;;
        *)
            case " ${ALL_TARGETS[*]} " in
                *" $1 "*) TARGETS+=("$1") ;;
                *) echo "fuzz.sh: unknown target '$1' (have: ${ALL_TARGETS[*]})" >&2; exit 2 ;;
            esac
            shift ;;
    esac
done
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")

OUT=$ROOT/.build-fuzz
FUZZ=$ROOT/Fuzz
mkdir -p "$OUT"

# --- toolchain and dependencies -------------------------------------------------------
SWIFTC=${SWIFTC:-$(command -v swiftc || true)}
[ -n "$SWIFTC" ] || SWIFTC=/opt/swift/usr/bin/swiftc
if [ ! -x "$SWIFTC" ]; then
    echo "fuzz.sh: no swiftc (set SWIFTC or put the Swift toolchain on PATH)" >&2; exit 1
fi
# (swiftc is a symlink to swift-driver, which must be called as swiftc: resolve only its directory.)
TOOLCHAIN=$(dirname "$(cd "$(dirname "$SWIFTC")" && pwd -P)")
ARCH=$(uname -m)
RUNTIME=$(ls "$TOOLCHAIN"/lib/swift/clang/lib/linux/libclang_rt.fuzzer-"$ARCH".a \
             "$TOOLCHAIN"/lib/clang/*/lib/linux/libclang_rt.fuzzer-"$ARCH".a \
             "$TOOLCHAIN"/lib/clang/*/lib/"$ARCH"-unknown-linux-gnu/libclang_rt.fuzzer.a 2>/dev/null | head -n1 || true)
if [ "$BUILD" = 1 ]; then
    if [ -z "$RUNTIME" ]; then
        echo "fuzz.sh: libFuzzer runtime (libclang_rt.fuzzer-$ARCH.a) not found under $TOOLCHAIN;" >&2
        echo "         use a swift.org Linux toolchain, which ships it" >&2
        exit 1
    fi
    for header in zlib.h openssl/sha.h; do
        if ! printf '#include <%s>\n' "$header" | "$TOOLCHAIN/bin/clang" -fsyntax-only -x c - 2>/dev/null \
           && [ ! -f "/usr/include/$header" ]; then
            echo "fuzz.sh: missing $header; install zlib1g-dev and libssl-dev (apt-get install zlib1g-dev libssl-dev)" >&2
            exit 1
        fi
    done
fi

# --- build ----------------------------------------------------------------------------
COMMON_FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g
              -I "$SRC/Sources/CZlib" -I "$SRC/Sources/CCrypto"
              -module-cache-path "$OUT/module-cache")
SWIFT_FLAGS=("${COMMON_FLAGS[@]}" -module-name GutsGit -I "$OUT/modules" -L "$OUT/modules" -lGutsCompression -lz -lcrypto)

# GutsCompression, the zlib layer below GutsGit, as a static library and module.
build_compression() {
    local library=$OUT/modules/libGutsCompression.a log=$OUT/compression.build.log
    if [ -f "$library" ] && [ -z "$(find "$SRC/Sources/GutsCompression" "$SRC/Sources/CZlib" "$0" -newer "$library" 2>/dev/null | head -n1)" ]; then
        return 0
    fi
    echo "== GutsCompression: building"
    mkdir -p "$OUT/modules"
    if ! "$SWIFTC" "${COMMON_FLAGS[@]}" -module-name GutsCompression -emit-module -emit-module-path "$OUT/modules/GutsCompression.swiftmodule" \
         -emit-library -static -o "$library" "$SRC"/Sources/GutsCompression/*.swift >"$log" 2>&1; then
        grep -E 'error:' -A4 "$log" | head -n 40 >&2 || tail -n 40 "$log" >&2
        echo "== GutsCompression: BUILD FAILED (full log: $log)" >&2
        return 1
    fi
}

sources_for() {
    local harness
    case "$1" in
        pktline) harness=FuzzPktLine.swift ;;
        pack) harness=FuzzPack.swift ;;
        objects) harness=FuzzObjects.swift ;;
        refname) harness=FuzzRefName.swift ;;
        gzipbody) harness=FuzzGzipBody.swift ;;
    esac
    printf '%s\n' "$SRC"/Sources/GutsGit/*.swift "$FUZZ/$harness"
    if [ "$1" = refname ]; then
        printf '%s\n' "$SRC/Sources/GutsStorage/RefName.swift" "$SRC/Sources/GutsStorage/StorageError.swift"
    fi
}

build() {
    local target=$1 binary=$OUT/$1 sources
    mapfile -t sources < <(sources_for "$target")
    # Rebuild only when a source, a module map or this script is newer than the binary
    # (or the source directory changed since the last build).
    if [ -x "$binary" ] && [ "$(cat "$binary.src" 2>/dev/null)" = "$SRC" ] \
       && [ -z "$(find "${sources[@]}" "$OUT/modules/libGutsCompression.a" "$SRC/Sources/CZlib" "$SRC/Sources/CCrypto" "$0" -newer "$binary" 2>/dev/null | head -n1)" ]; then
        echo "== $target: up to date ($binary)"
        return 0
    fi
    echo "== $target: building"
    local log=$OUT/$target.build.log start=$SECONDS attempt
    for attempt in 1 2 3; do
        "$SWIFTC" "${SWIFT_FLAGS[@]}" "${sources[@]}" -o "$binary.tmp" >"$log" 2>&1 && break
        # Someone saving a source file mid-build is worth another try; a real error is not.
        grep -q 'was modified during the build' "$log" || break
        [ "$attempt" = 3 ] || { echo "   a source changed during the build; retrying in 20s"; sleep 20; }
    done
    if [ -x "$binary.tmp" ] && ! grep -q 'error:' "$log"; then
        mv -f "$binary.tmp" "$binary"
        echo "$SRC" >"$binary.src"
        echo "   built in $((SECONDS - start))s"
    else
        rm -f "$binary.tmp"
        grep -E 'error:' -A4 "$log" | head -n 40 >&2 || tail -n 40 "$log" >&2
        echo "== $target: BUILD FAILED (full log: $log)" >&2
        return 1
    fi
}

# --- seeds from real git data ---------------------------------------------------------
# Written to .build-fuzz/seeds/<target>/ (never committed); Fuzz/corpus/<target>/ holds a
# few committed text seeds. Regenerated when missing.
make_seeds() {
    local seeds=$OUT/seeds
    [ -f "$seeds/.done" ] && return 0
    if ! command -v git >/dev/null; then
        echo "   (git not found: fuzzing from the committed seeds only)"
        mkdir -p "$seeds"/{pktline,pack,objects,refname,gzipbody}; touch "$seeds/.done"; return 0
    fi
    echo "== generating seeds from a scratch repository"
    rm -rf "$seeds" "$OUT/seed-repo"
    mkdir -p "$seeds"/{pktline,pack,objects,refname,gzipbody}
    local repo=$OUT/seed-repo
    (
        set -e
        export GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com \
               GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL=committer@example.com \
               GIT_AUTHOR_DATE='1700000000 +0100' GIT_COMMITTER_DATE='1700000000 +0100' \
               GIT_CONFIG_NOSYSTEM=1 HOME=$OUT/seed-home
        mkdir -p "$HOME"
        git init -q -b main "$repo"
        cd "$repo"
        mkdir -p dir/sub
        for i in 1 2 3 4 5 6 7 8; do printf 'line %s of a file that will be edited\n' $(seq 1 $((i * 6))) >"dir/file$i.txt"; done
        printf '#!/bin/sh\necho hi\n' >run.sh; chmod +x run.sh
        ln -s dir/file1.txt link
        printf 'nested\n' >dir/sub/n.txt
        git add -A; git commit -q -m 'first commit'
        for i in 1 2 3; do
            printf 'edit %s\n' "$i" >>dir/file8.txt; printf 'edit %s\n' "$i" >>dir/file7.txt
            git commit -q -am "edit $i" -m 'A body line.'
        done
        git tag -a v1 -m 'annotated tag' HEAD~1
        git tag light
        git branch feature/x HEAD~2
    ) >/dev/null

    local g=(git -C "$repo")
    # pack: the pack bytes after a mode byte and a limits byte (see Fuzz/FuzzPack.swift).
    "${g[@]}" pack-objects --all --stdout -q </dev/null >"$OUT/full.pack"                  # OFS_DELTA
    "${g[@]}" rev-list --objects --all | "${g[@]}" pack-objects --stdout -q --no-reuse-delta --no-delta-base-offset >"$OUT/ref.pack"  # REF_DELTA
    printf 'main\n^main~1\n' | "${g[@]}" pack-objects --revs --thin --stdout -q >"$OUT/thin.pack"
    "${g[@]}" rev-parse 'main^{tree}' | "${g[@]}" pack-objects --stdout -q --depth=0 >"$OUT/tree.pack"
    printf '' | "${g[@]}" pack-objects --stdout -q >"$OUT/empty.pack"
    local name mode
    for name in full ref thin tree empty; do
        for mode in 00 01 06 0d; do
            { printf "\\x$mode\\x3f"; cat "$OUT/$name.pack"; } >"$seeds/pack/$name-$mode"
        done
    done
    # delta mode: 0x80, limits byte, 2-byte LE base length, base, delta.
    printf '\x80\x00\x0c\x00hello world\n\x0c\x11\x91\x00\x06\x05earth\x90\x0b' >"$seeds/pack/delta-copy-insert"
    printf '\x80\x00\x0c\x00hello world\nhello wide world of git\n' >"$seeds/pack/delta-make"

    # objects: raw bodies as git stores them.
    "${g[@]}" cat-file commit main >"$seeds/objects/commit"
    "${g[@]}" cat-file commit 'main~3' >"$seeds/objects/root-commit"
    "${g[@]}" cat-file tag v1 >"$seeds/objects/tag"
    "${g[@]}" cat-file tree 'main^{tree}' >"$seeds/objects/tree"
    "${g[@]}" cat-file tree 'main:dir' >"$seeds/objects/subtree"

    # pktline: real advertisements (v0 upload-pack and receive-pack, v2 capabilities).
    "${g[@]}" upload-pack --advertise-refs . >"$seeds/pktline/upload-pack-v0" 2>/dev/null || true
    "${g[@]}" receive-pack --advertise-refs . >"$seeds/pktline/receive-pack" 2>/dev/null || true
    GIT_PROTOCOL=version=2 "${g[@]}" upload-pack --advertise-refs . >"$seeds/pktline/upload-pack-v2" 2>/dev/null || true
    local main
    main=$("${g[@]}" rev-parse main)
    printf '0032want %s\n00000009done\n' "$main" >"$seeds/pktline/fetch-request"

    # refname: every ref in the scratch repository.
    local i=0 ref
    while read -r ref; do i=$((i + 1)); printf '%s' "$ref" >"$seeds/refname/ref$i"; done \
        < <("${g[@]}" for-each-ref --format='%(refname)')

    # gzipbody: limit byte, chunk byte, gzip data (see Fuzz/FuzzGzipBody.swift).
    if command -v gzip >/dev/null; then
        for name in upload-pack-v0 fetch-request; do
            { printf '\xff\x03'; gzip -9 -n -c "$seeds/pktline/$name"; } >"$seeds/gzipbody/$name-big-limit"
            { printf '\x20\x01'; gzip -1 -n -c "$seeds/pktline/$name"; } >"$seeds/gzipbody/$name-small-limit"
        done
        { printf '\xc0\x10'; gzip -n -c "$seeds/objects/tree"; gzip -n -c "$seeds/objects/commit"; } >"$seeds/gzipbody/two-members"
    fi
    rm -rf "$repo" "$OUT/seed-home" "$OUT"/*.pack
    touch "$seeds/.done"
}

# --- run ------------------------------------------------------------------------------
failed=0
built=()
if [ "$BUILD" = 1 ]; then build_compression || exit 1; fi
for target in "${TARGETS[@]}"; do
    if [ "$BUILD" = 1 ]; then
        if build "$target"; then built+=("$target"); else failed=1; fi
    elif [ -x "$OUT/$target" ]; then
        built+=("$target")
    else
        echo "== $target: not built (run without --no-build)" >&2; failed=1
    fi
done
[ ${#built[@]} -gt 0 ] || exit 1
make_seeds

summary=()
for target in "${built[@]}"; do
    corpus=$OUT/corpus/$target
    mkdir -p "$corpus" "$OUT/artifacts"
    dirs=("$corpus" "$OUT/seeds/$target")
    [ -d "$FUZZ/corpus/$target" ] && dirs+=("$FUZZ/corpus/$target")
    dict=()
    [ -f "$FUZZ/$target.dict" ] && dict=(-dict="$FUZZ/$target.dict")
    log=$OUT/$target.log
    echo "== $target: fuzzing for $MODE_TEXT (log: $log)"
    start=$(date +%s.%N)
    set +e
    # detect_leaks=0: the Swift runtime's lazily built metadata trips LSan now and then;
    # memory growth is still caught by -rss_limit_mb/-malloc_limit_mb.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:symbolize=1} \
    "$OUT/$target" "${MODE[@]}" -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 \
        -artifact_prefix="$OUT/artifacts/$target-" "${dict[@]}" ${FUZZ_EXTRA_ARGS:-} "${dirs[@]}" >"$log" 2>&1
    rc=$?
    set -e
    wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    # libFuzzer's own average_exec_per_sec counts whole seconds (0 for short runs).
    rate=$(awk -v n="${execs:-0}" -v w="$wall" 'BEGIN { if (w > 0) printf "%d", n / w; else print "?" }')
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
    if [ "$rc" = 0 ]; then
        status=ok
    else
        status="CRASH (exit $rc)"
        failed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
        grep -m1 -E 'Fatal error|ERROR: AddressSanitizer|ERROR: libFuzzer|deadly signal|out-of-memory|timeout' "$log" | sed 's/^/   /' || true
        grep -E '^ +#[0-9]+ ' "$log" | head -n 8 | sed 's/^/   /' || true
        [ -n "$artifact" ] && status="$status, input: $artifact"
    fi
    line=$(printf '%-9s %10s execs  %7s exec/s  %7ss  cov %-5s  %s' "$target" "${execs:-?}" "${rate:-?}" "$wall" "${cov:-?}" "$status")
    echo "   $line"
    summary+=("$line")
done

echo
echo "== summary ($MODE_TEXT per target)"
printf '   %s\n' "${summary[@]}"
exit "$failed"
