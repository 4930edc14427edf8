#!/bin/sh
# Build the compiled codec with AddressSanitizer into a scratch folder (never over the in-place .so files)
# and run the bounded differential fuzz of both C modules against the pure codec under it.
#
#   tests/fuzz/asan_build.sh [SECONDS] [SEED]        # default 60 s, seed 0
#
# Exits non-zero on a build failure, an ASan report (ASan aborts the process), or any mismatch with the
# pure codec. Needs gcc (or clang) with libasan; the interpreter itself need not be instrumented: libasan is
# preloaded, and leak detection is off (CPython's own allocations at exit are not leaks of ours).
set -eu
SECONDS_TO_RUN=${1:-60}
SEED=${2:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/toon-asan.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
cd "$ROOT"
# setup.py's own flags (-O2 ...) come after CFLAGS; -O1 from here is then overridden, which ASan tolerates.
CFLAGS="-fsanitize=address -fno-omit-frame-pointer -O1 -g" LDFLAGS="-fsanitize=address" \
    python setup.py -q build_ext --build-lib "$OUT/lib" --build-temp "$OUT/tmp" >"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log"; exit 1; }
for module in _cdecoder _cencoder; do
    if ! ls "$OUT"/lib/toon_hooks/toon/"$module".*.so >/dev/null 2>&1; then
        cat "$OUT/build.log"
        echo "asan_build: $module was not built" >&2
        exit 1
    fi
done
LIBASAN=$(${CC:-gcc} -print-file-name=libasan.so)
LD_PRELOAD="$LIBASAN" ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1" \
    python "$ROOT/tests/fuzz/asan_fuzz.py" --modules "$OUT/lib/toon_hooks/toon" --seconds "$SECONDS_TO_RUN" --seed "$SEED"
