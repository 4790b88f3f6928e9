#!/usr/bin/env bash
# scripts/test.sh: build virtbus (scripts/setup.sh) and run every meson test suite.
# Extra arguments go to `meson test` (e.g. --suite unit, or a test's name).
# Exits with meson test's status. CI runs exactly this (.ci/run).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${VIRTBUS_BUILD_DIR:-build}

bash "$root/scripts/setup.sh"
cd "$root"

log=$builddir/meson-logs/testlog.json
rm -f "$log"
status=0
meson test -C "$builddir" --print-errorlogs "$@" || status=$?

# One plain closing line with the counts, read from meson's own log.
if [[ -f $log ]]; then
	/usr/bin/python3 - "$log" <<'PY' || true
import json, sys
counts = {}
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if line:
            r = json.loads(line).get("result", "?")
            counts[r] = counts.get(r, 0) + 1
passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
skipped = counts.get("SKIP", 0)
failed = sum(counts.values()) - passed - skipped
print(f"meson: {passed} passed, {failed} failed, {skipped} skipped")
PY
fi
exit "$status"
