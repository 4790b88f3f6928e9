#!/usr/bin/env bash
# scripts/test.sh: build virtbus (scripts/setup.sh) and run every meson test suite.
# Extra arguments go to `meson test` (e.g. --suite unit, or a test's name).
# Exits with meson test's status; with CI=true, also non-zero when a test was skipped. CI runs
# exactly this (.ci/run, which sets CI=true).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${VIRTBUS_BUILD_DIR:-build}

bash "$root/scripts/setup.sh"
cd "$root"

log=$builddir/meson-logs/testlog.json
rm -f "$log"
status=0
if [[ $(id -u) = 0 && -e /dev/kvm ]]; then
	# Guests in the tests boot under TCG: where /dev/kvm exists it may be a nested KVM that
	# cannot run a standard guest kernel (QEMU aborts: "failed to set MSR 0x10a"), and
	# virt-install, cockpit and virt-manager choose KVM whenever the daemon offers it. The suite
	# runs in a private mount namespace where /dev/kvm is a node of no device (open: ENXIO), so
	# every daemon and QEMU it starts sees a host without KVM, as on a machine that has none.
	# The host's /dev/kvm is not touched.
	nokvm=$(mktemp -d)
	mknod "$nokvm/kvm" c 0 0
	unshare -m --propagation private -- bash -c 'mount --bind "$1" /dev/kvm && shift && exec meson test "$@"' \
		_ "$nokvm/kvm" -C "$builddir" --print-errorlogs "$@" || status=$?
	rm -rf "$nokvm"
else
	meson test -C "$builddir" --print-errorlogs "$@" || status=$?
fi

# One plain closing line with the counts, read from meson's own log. With CI=true (.ci/run sets
# it) a skipped test fails the run: in CI every suite must really run (polkit, QEMU, firmware).
ci=false
case ${CI:-} in [Tt][Rr][Uu][Ee] | 1 | [Yy][Ee][Ss]) ci=true ;; esac
if [[ -f $log ]]; then
	summary=0
	/usr/bin/python3 - "$log" "$ci" <<'PY' || summary=$?
import json, sys
counts, skipped = {}, []
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if line:
            t = json.loads(line)
            r = t.get("result", "?")
            counts[r] = counts.get(r, 0) + 1
            if r == "SKIP":
                skipped.append(t.get("name", "?"))
passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
failed = sum(counts.values()) - passed - len(skipped)
print(f"meson: {passed} passed, {failed} failed, {len(skipped)} skipped")
if skipped:
    print("skipped: " + ", ".join(skipped))
    if sys.argv[2] == "true":
        print("test: CI=true and tests were skipped: failing the run (install what they need)")
        sys.exit(3)
PY
	if [[ $summary -ne 0 && $status -eq 0 ]]; then
		# 3: skips under CI=true; anything else: the log could not be read, which CI cannot accept.
		[[ $summary -eq 3 || $ci = true ]] && status=1
		[[ $summary -eq 3 ]] || echo "test: could not read $log for the summary"
	fi
elif [[ $ci = true ]]; then
	echo "test: CI=true and no $log to check for skipped tests: failing the run"
	[[ $status -ne 0 ]] || status=1
fi
exit "$status"
