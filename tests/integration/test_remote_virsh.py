#!/usr/bin/python3
"""test_remote_virsh.py: unmodified virsh against virtbusd's remote protocol, over the unix socket
and over TCP, every command of remote-protocol.md §2, compared with libvirt's own test driver.

Each test starts a fresh daemon and runs a sequence of virsh commands against it, one virsh
process per command (as a user would), and the same sequence in one virsh process against
`test:///default` (the oracle: libvirt's test driver inside virsh, same initial content). Standard
output, error output and exit status must agree command by command; only dominfo's CPU time
(a clock) is masked.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from remote_harness import DOMAIN_XML, NETWORK_XML, main, transports  # noqa: E402


class _Queries:
    """The read-only commands on the initial content."""

    def test_host_queries(self):
        self.compare_with_oracle(["version", "hostname", "nodeinfo", "capabilities"])

    def test_uri_is_printed_as_given(self):
        # `virsh uri` makes no RPC (capture 22): it prints the URI it connected with.
        self.assertEqual(self.assertVirshOk("uri"), self.uri + "\n\n")

    def test_domain_queries(self):
        self.compare_with_oracle(["list --all", "list", "list --inactive", "dumpxml test",
                                  "domstate test", "domstate test --reason", "dominfo test",
                                  "domid test", "domuuid test", "domname 1"])

    def test_network_queries(self):
        self.compare_with_oracle(["net-list --all", "net-list", "net-dumpxml default"])

    def test_pool_and_volume_queries(self):
        self.compare_with_oracle(["pool-list --all", "pool-dumpxml default-pool", "vol-list default-pool"])


class _DomainLifecycle:
    def setUp(self):
        super().setUp()
        self.xml = self.daemon.tmp / "demo.xml"
        self.xml.write_text(DOMAIN_XML.format(name="demo"))

    def test_define_start_suspend_resume_destroy_undefine(self):
        x = self.xml
        self.compare_with_oracle([
            "define %s" % x, "list --all", "domstate demo --reason", "dominfo demo",
            "start demo", "list", "domstate demo --reason", "dumpxml demo",
            "suspend demo", "domstate demo --reason", "list --all",
            "resume demo", "domstate demo --reason",
            "destroy demo", "domstate demo --reason", "list --all",
            "undefine demo", "list --all",
        ])

    def test_shutdown_reboot_and_restart(self):
        x = self.xml
        self.compare_with_oracle([
            "define %s" % x, "start demo", "reboot demo", "domstate demo --reason",
            "shutdown demo", "domstate demo --reason", "list --all",
            "start demo", "list --all", "dominfo demo",
            "shutdown test", "list --all", "start test", "list --all", "domstate test --reason",
            "dumpxml test",
        ])

    def test_setmem_and_vcpucount(self):
        self.compare_with_oracle([
            "setmem test 1048576", "dominfo test", "setmem test 99999999", "setmem --live test 524288",
            "dominfo test", "setmem --config test 2000000", "dumpxml --inactive test", "dumpxml test",
            "vcpucount test", "vcpucount --maximum --live test",
            "define %s" % self.xml, "setmem demo 100000", "setmem --config demo 100000", "dominfo demo",
        ])

    def test_undefine_running_domain_makes_it_transient(self):
        x = self.xml
        self.compare_with_oracle([
            "define %s" % x, "start demo", "undefine demo", "list --all", "dominfo demo",
            "destroy demo", "list --all", "domstate demo",
        ])


class _Errors:
    """Error texts, as virsh prints them (captures 18, 18b, 18c, 18d, and more)."""

    def test_lookup_errors(self):
        self.compare_with_oracle([
            "dumpxml nosuchdom", "net-dumpxml nosuchnet", "pool-info nosuchpool",
            "domstate nosuchdom", "dominfo nosuchdom", "suspend nosuchdom", "undefine nosuchdom",
            "net-start nosuchnet", "pool-dumpxml nosuchpool", "vol-list nosuchpool",
            "vol-info --pool default-pool nosuchvol",
        ])

    def test_state_errors(self):
        x = self.daemon.tmp / "demo.xml"
        x.write_text(DOMAIN_XML.format(name="demo"))
        self.compare_with_oracle([
            "start test",                        # 18d: virsh refuses by itself (id != -1)
            "resume test",                       # not paused
            "define %s" % x,
            "suspend demo", "resume demo", "destroy demo", "shutdown demo", "reboot demo",
            "start demo", "start demo", "suspend demo", "suspend demo", "resume demo",
            "net-start default", "pool-start default-pool",
        ])

    def test_define_conflicts(self):
        clash = self.daemon.tmp / "clash.xml"
        # the name of the running domain with another uuid
        clash.write_text("<domain type='test'><name>test</name>"
                         "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                         "<memory>1024</memory><os><type>hvm</type></os></domain>")
        net = self.daemon.tmp / "netclash.xml"
        net.write_text("<network><name>default</name>"
                       "<uuid>11111111-2222-3333-4444-555555555555</uuid></network>")
        self.compare_with_oracle(["define %s" % clash, "net-define %s" % net, "list --all",
                                  "net-list --all"])


class _Networks:
    def test_network_lifecycle(self):
        x = self.daemon.tmp / "net-demo.xml"
        x.write_text(NETWORK_XML.format(name="netdemo", bridge="vbr-demo"))
        self.compare_with_oracle([
            "net-define %s" % x, "net-list --all", "net-dumpxml netdemo",
            "net-start netdemo", "net-list --all", "net-list",
            "net-destroy netdemo", "net-list --all",
            "net-undefine netdemo", "net-list --all",
            "net-destroy default", "net-list --all", "net-start default", "net-list",
        ])


class _Storage:
    def test_pool_lifecycle(self):
        self.compare_with_oracle([
            "pool-define-as pdemo dir --target /pdemo", "pool-list --all", "pool-dumpxml pdemo",
            "pool-start pdemo", "pool-list --all", "pool-dumpxml pdemo",
            "pool-destroy pdemo", "pool-list --all",
            "pool-undefine pdemo", "pool-list --all",
        ])

    def test_volume_lifecycle(self):
        self.compare_with_oracle([
            "vol-list default-pool",
            "vol-create-as default-pool vol1.img 1M", "vol-list default-pool",
            "vol-create-as default-pool vol2.img 2G", "vol-list default-pool",
            "vol-info --pool default-pool vol1.img", "vol-dumpxml --pool default-pool vol1.img",
            "vol-info --pool default-pool vol2.img",
            "vol-delete --pool default-pool vol1.img", "vol-list default-pool",
            # capture 69: lookup by name fails, virsh falls back to key and path lookups
            "vol-info --pool default-pool vol1.img",
            "vol-create-as default-pool vol2.img 1M",
        ])


globals().update(transports("unix", "tcp")(_Queries))
globals().update(transports("unix", "tcp")(_DomainLifecycle))
globals().update(transports("unix", "tcp")(_Errors))
globals().update(transports("unix", "tcp")(_Networks))
globals().update(transports("unix", "tcp")(_Storage))


if __name__ == "__main__":
    main()
