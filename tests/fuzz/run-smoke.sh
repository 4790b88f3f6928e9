#!/bin/sh
# run-smoke.sh: build the libFuzzer targets with clang (ASan, UBSan) in their own build directory
# and run each for about a minute from seeds made of the shared captures' client packets.
#
# usage: tests/fuzz/run-smoke.sh [BUILD_DIR]     (default: $TMPDIR/virtbus-fuzz-build)
# FUZZ_TIME=seconds changes the run time (default 60). Exits non-zero when a target finds
# anything (crash, leak, undefined behaviour, timeout); the reproducer is left in the build dir.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${TMPDIR:-/tmp}/virtbus-fuzz-build}
time=${FUZZ_TIME:-60}

if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" "$src" \
                -Dfuzz=true -Dbuildtype=debugoptimized \
                -Db_sanitize=address,undefined -Db_lundef=false \
                -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer'
fi
ninja -C "$build" tests/fuzz/fuzz-remote

corpus=$(mktemp -d "${TMPDIR:-/tmp}/virtbus-fuzz-corpus.XXXXXX")
trap 'rm -rf "$corpus"' EXIT

# One seed per capture: every packet the client sent, as it sent them.
python3 - "$src/tests/data/remote" "$corpus" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(src)):
    if not name.endswith('.pkts'):
        continue
    data = b''.join(bytes.fromhex(line[2:].strip()) for line in open(os.path.join(src, name))
                    if line.startswith('C '))
    with open(os.path.join(dst, name[:-5]), 'wb') as f:
        f.write(data)
PY

status=0
"$build/tests/fuzz/fuzz-remote" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-remote-" "$corpus" || status=$?
exit $status
