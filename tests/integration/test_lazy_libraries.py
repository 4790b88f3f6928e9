"""test_lazy_libraries.py: gnutls, cyrus-sasl, libnl, libnftables and libiscsi are mapped only when used.

virtbusd links none of them: TLS and SASL are the module virtbus-remote-crypto.so, loaded when a
TLS listener or SASL is configured (service/remote/transport/crypto-module.h), libnl is
virtbus-netlink.so (lib/netlink-module.h), libnftables is dlopen()ed at the first firewall
change (drivers/network/nft-load.h). A daemon on unix sockets only, after serving clients, must
have none of them in /proc/PID/maps; one with a SASL TCP listener has the TLS/SASL module.
"""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import remote_harness as rh  # noqa: E402
from testmain import main  # noqa: E402

LAZY = ("libgnutls", "libp11-kit", "libsasl2", "libnl-3", "libnl-route-3", "libnftables", "virtbus-remote-crypto",
        "virtbus-netlink", "libiscsi", "libibverbs")


def mapped(pid):
    names = set()
    for line in Path("/proc/%d/maps" % pid).read_text().splitlines():
        parts = line.split()
        if len(parts) >= 6:
            names.add(Path(parts[5]).name)
    return names


def lazy_in(names):
    return sorted(n for n in names for lib in LAZY if n.startswith(lib))


class LazyLibrariesTest(unittest.TestCase):
    def test_unix_only_daemon_maps_none(self):
        d = rh.RemoteDaemon(conf="", tcp=False)
        d.start()
        try:
            r = d.virsh("unix", "list --all")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("test", r.stdout)
            self.assertEqual(lazy_in(mapped(d.proc.pid)), [])
        finally:
            d.stop()

    def test_sasl_listener_loads_the_module(self):
        d = rh.RemoteDaemon(conf='auth_tcp = "sasl"\n', tcp=True)
        d.start()
        try:
            names = mapped(d.proc.pid)
            self.assertIn("virtbus-remote-crypto.so", names)
            self.assertTrue(any(n.startswith("libsasl2") for n in names), sorted(names))
            self.assertFalse(any(n.startswith("libnl-route-3") for n in names), sorted(names))
        finally:
            d.stop()


if __name__ == "__main__":
    main()
