"""testmain.py: how every Python test suite ends, so that meson records what really happened.

unittest exits 0 when every test was skipped, and meson then records OK for a suite that tested
nothing. main() runs the suite like unittest.main() and exits with:
    1   a test failed or errored, or no test ran at all;
    77  every test that ran was skipped (meson's SKIP);
    0   otherwise (some tests passed, others may have been skipped).
With CI=true (set by .ci/run) whatever a test needs must be there: any skip exits 1 and the
skipped tests are listed with their reasons. skip_program() is the same rule for a script that
cannot start at all (not root, a missing program). What a harness starts in a setUpClass is
stopped with its class, also when the setUpClass fails part-way (cleanup.py).

No imports beyond the standard library: unprivileged helpers may copy the harness around.
"""

import os
import signal
import sys
import unittest


def ci():
    """True when CI=true (or 1, yes): a skip is then a failure."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def skip_program(reason):
    """A whole script that cannot run here: exit 77 (SKIP) with the reason, or 1 under CI=true."""
    if ci():
        print("FAIL (CI=true: a skip is a failure): " + reason, flush=True)
        sys.exit(1)
    print("SKIP: " + reason, flush=True)
    sys.exit(77)


class _Result(unittest.TextTestResult):
    """Counts the tests that passed: testsRun also counts skipped tests, and not those skipped
    in setUpClass."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


class _Runner(unittest.TextTestRunner):
    resultclass = _Result

    def run(self, test):
        import cleanup
        cleanup.own_class_resources(test)
        return super().run(test)


def exit_status(result):
    """The exit status for a finished run (a _Result), with the reason printed."""
    if not result.wasSuccessful():
        return 1
    skipped = result.skipped
    passed = result.passed + len(result.expectedFailures)
    if skipped and ci():
        print("\nFAIL (CI=true: a skip is a failure): %d skipped:" % len(skipped), file=sys.stderr)
        for test, reason in skipped:
            print("  %s: %s" % (test, reason), file=sys.stderr)
        return 1
    if passed == 0 and not skipped:
        print("\nFAIL: no test ran", file=sys.stderr)
        return 1
    if passed == 0:
        print("\nSKIP: all %d tests skipped" % len(skipped), file=sys.stderr)
        return 77
    return 0


def _terminated(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


def main(verbosity=2):
    """unittest.main() for the calling script's tests, exiting as described above. SIGTERM
    (meson's timeout) ends the run as Ctrl-C does, after what the harnesses started is stopped."""
    import cleanup
    signal.signal(signal.SIGTERM, _terminated)
    try:
        prog = unittest.main(module="__main__", verbosity=verbosity, testRunner=_Runner, exit=False)
    except KeyboardInterrupt as e:
        print("\nFAIL: interrupted (%s); stopping what the harnesses started" % (e or "Ctrl-C"),
              file=sys.stderr, flush=True)
        cleanup.stop_all()
        sys.exit(1)
    sys.stdout.flush()
    sys.exit(exit_status(prog.result))
