"""guest.py: build and drive the tiny test guest of the QEMU-driver tests (tests/guest/README.md).

    import guest
    image = guest.build()                      # tests/guest/build-guest.sh, cached
    with guest.GuestVM(image, workdir) as vm:  # qemu-system-x86_64 under TCG
        vm.start()
        vm.wait_console(guest.UP, timeout=60)
        vm.qmp.command("system_powerdown")
        vm.wait_exit(timeout=30)

Only the standard library: usable from Debian's /usr/bin/python3 and any other python3.

Environment:
    VIRTBUS_GUEST_DIR=DIR   where build() puts the guest (default build/test-guest below the
                            repository root)
    QEMU=PATH               the emulator (default qemu-system-x86_64 on PATH)
"""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections import namedtuple
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
BUILD_SCRIPT = HERE / "build-guest.sh"

# What the guest prints on its serial console (each alone on a line).
UP = "VIRTBUS-GUEST-UP"                # init is up and acpid listens to the power button
POWEROFF = "VIRTBUS-GUEST-POWEROFF"    # just before `poweroff -f` (ACPI button, command, cmdline)
REBOOT = "VIRTBUS-GUEST-REBOOT"        # just before `reboot -f`
CRASH = "VIRTBUS-GUEST-CRASH"          # just before a kernel panic (sysrq c)

GuestImage = namedtuple("GuestImage", "kernel initrd append")


def default_dir():
    return Path(os.environ.get("VIRTBUS_GUEST_DIR", REPO_ROOT / "build" / "test-guest"))


def build(outdir=None):
    """Run build-guest.sh OUTDIR (a no-op when up to date) and return the GuestImage."""
    outdir = Path(outdir) if outdir is not None else default_dir()
    proc = subprocess.run(["bash", str(BUILD_SCRIPT), str(outdir)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"build-guest.sh failed ({proc.returncode}):\n{proc.stderr}")
    values = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition("=")
        if value.startswith("'") and value.endswith("'"):
            value = value[1:-1]
        values[key] = value
    return GuestImage(values["VIRTBUS_GUEST_KERNEL"], values["VIRTBUS_GUEST_INITRD"],
                      values["VIRTBUS_GUEST_APPEND"])


def qemu_binary():
    path = os.environ.get("QEMU") or shutil.which("qemu-system-x86_64")
    if not path:
        raise RuntimeError("no qemu-system-x86_64 (Debian package qemu-system-x86)")
    return path


class QmpError(Exception):
    pass


class Qmp:
    """A minimal QMP client: commands one at a time, events collected by a reader thread."""

    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no QMP socket at {path} after {timeout} s")
                time.sleep(0.02)
        self._sock = sock
        self._file = sock.makefile("rb")
        self._cond = threading.Condition()
        self._replies = []
        self.events = []          # every event so far, as QEMU sent it (dicts), in order
        self.closed = False
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.command("qmp_capabilities", timeout=timeout)

    def _read_loop(self):
        try:
            for line in self._file:
                msg = json.loads(line)
                with self._cond:
                    if "event" in msg:
                        self.events.append(msg)
                    elif "return" in msg or "error" in msg:
                        self._replies.append(msg)
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def command(self, name, timeout=10.0, **arguments):
        """Run one command; its "return" value, or QmpError with QEMU's error."""
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        with self._lock:
            self._sock.sendall(json.dumps(msg).encode() + b"\n")
            with self._cond:
                if not self._cond.wait_for(lambda: self._replies or self.closed, timeout):
                    raise TimeoutError(f"no reply to QMP {name} in {timeout} s")
                if not self._replies:
                    raise QmpError(f"QMP connection closed before the reply to {name}")
                reply = self._replies.pop(0)
        if "error" in reply:
            raise QmpError(f"{name}: {reply['error'].get('class')}: {reply['error'].get('desc')}")
        return reply["return"]

    def wait_event(self, name, timeout, start=0):
        """The first event called name at or after index start of self.events; TimeoutError."""
        def find():
            for ev in self.events[start:]:
                if ev["event"] == name:
                    return ev
            return None
        with self._cond:
            self._cond.wait_for(lambda: find() is not None or self.closed, timeout)
            ev = find()
        if ev is None:
            seen = [e["event"] for e in self.events[start:]]
            raise TimeoutError(f"no QMP event {name} in {timeout} s (saw {seen}"
                               f"{', connection closed' if self.closed else ''})")
        return ev

    def close(self):
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._reader.join(timeout=2)


class GuestVM:
    """One qemu-system-x86_64 running the guest under TCG, in workdir:
    workdir/serial.log    everything the guest printed on its serial console (ttyS0)
    workdir/serial.sock   the console's input: send_console() writes lines there
    workdir/qmp.sock      QMP (self.qmp once started)
    workdir/qemu.log      QEMU's own stdout and stderr
    """

    def __init__(self, image, workdir, append="", qemu_args=(), memory=256, no_reboot=False):
        self.image = image
        self.workdir = Path(workdir)
        self.append = (image.append + " " + append).strip()
        self.qemu_args = list(qemu_args)
        self.memory = memory
        self.no_reboot = no_reboot
        self.serial_log = self.workdir / "serial.log"
        self.serial_sock = self.workdir / "serial.sock"
        self.qmp_sock = self.workdir / "qmp.sock"
        self.qemu_log = self.workdir / "qemu.log"
        self.proc = None
        self.qmp = None
        self.started_at = None
        self._console = None

    def command_line(self):
        cmd = [qemu_binary(), "-accel", "tcg", "-m", str(self.memory),
               "-nodefaults", "-no-user-config", "-display", "none",
               "-chardev", f"socket,id=serial0,path={self.serial_sock},server=on,wait=off,"
                           f"logfile={self.serial_log}",
               "-serial", "chardev:serial0",
               "-qmp", f"unix:{self.qmp_sock},server=on,wait=off",
               "-kernel", self.image.kernel, "-initrd", self.image.initrd,
               "-append", self.append]
        if self.no_reboot:
            cmd.append("-no-reboot")
        return cmd + self.qemu_args

    def start(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        for p in (self.serial_log, self.serial_sock, self.qmp_sock):
            if p.exists() or p.is_symlink():
                p.unlink()
        with open(self.qemu_log, "wb") as log:
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(self.command_line(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        try:
            self.qmp = Qmp(self.qmp_sock)
        except Exception:
            self.stop()
            raise RuntimeError(f"QEMU did not come up: {self.qemu_log.read_text(errors='replace')}")
        return self

    def console_text(self):
        try:
            return self.serial_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_console(self, text, timeout, count=1):
        """Wait until text has appeared count times on the console; seconds since start()."""
        deadline = time.monotonic() + timeout
        while True:
            if self.console_text().count(text) >= count:
                return time.monotonic() - self.started_at
            if self.proc.poll() is not None:
                # Exited: one last look (the log is written before QEMU exits).
                if self.console_text().count(text) >= count:
                    return time.monotonic() - self.started_at
                raise AssertionError(f"QEMU exited ({self.proc.returncode}) before {text!r} "
                                     f"x{count}; console:\n{self.console_text()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {text!r} x{count} on the console in {timeout} s; "
                                   f"console:\n{self.console_text()}")
            time.sleep(0.02)

    def send_console(self, line):
        """Type a line on the serial console (the guest's commands: poweroff, reboot, crash)."""
        if self._console is None:
            self._console = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._console.connect(str(self.serial_sock))
            # Whatever QEMU sends back (the guest's output, echo) must be read, or a full
            # socket would stall the guest's UART.
            threading.Thread(target=self._drain_console, args=(self._console,),
                             daemon=True).start()
        self._console.sendall(line.encode() + b"\n")

    @staticmethod
    def _drain_console(sock):
        try:
            while sock.recv(65536):
                pass
        except OSError:
            pass

    def wait_exit(self, timeout):
        """Wait for QEMU to exit by itself; its exit status (TimeoutError if it does not)."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"QEMU still running {timeout} s later; console:\n"
                               f"{self.console_text()}") from None

    def stop(self):
        """Kill QEMU if it still runs and close the connections."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.qmp is not None:
            self.qmp.close()
        if self._console is not None:
            self._console.close()
            self._console = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
