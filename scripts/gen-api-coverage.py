#!/usr/bin/python3
"""Write docs/api-coverage.md from the API table: which libvirt 9.0 procedures and libvirt-dbus 1.4.1
members virtbus serves, and which answer libvirt's "not supported" (and why, by family).

usage: scripts/gen-api-coverage.py > docs/api-coverage.md   (run from the top of the tree)
Facts only: procedure numbers and names (service/remote/proto/procnames.c), the rows
(service/core/api-*.c), the remote handlers (proc-table.c), interfaces/*.xml.
"""
import re
import xml.etree.ElementTree as ET
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
PROTO = TOP / "service" / "remote" / "proto"

procs = {int(n): (name, api) for n, name, api in
         re.findall(r'\[(\d+)\] = \{ "(\w+)", (?:"(\w+)"|NULL)', (PROTO / "procnames.c").read_text())}
rows = {}
for f in sorted((TOP / "service" / "core").glob("api-*.c")):
    for rid, proc, name in re.findall(r'ROW\((\w+), (\d+), "(\w+)"', f.read_text()):
        rows[rid] = (int(proc), name)
table = (PROTO / "proc-table.c").read_text()
unsupported = set(re.findall(r"P\((\w+), proc_not_supported", (PROTO / "proc-table-unsupported.h").read_text()))
served = {rid for rid in re.findall(r"P\((\w+), proc_\w+", table)} - unsupported
served_procs = {rows[r][0] for r in served if r in rows}
row_unsupported = {rows[r][0] for r in unsupported if r in rows}

# Families answered "not supported" on purpose, and why (matched on the procedure name).
REASONS = [
    ("removed", r"^(domain_migrate_(prepare|perform|finish)(2)?$|domain_migrate_prepare_tunnel$|"
                r"domain_events_(de)?register|node_device_dettach)", "libvirt's own legacy or removed entry points"),
    ("xen", r"(xen|domain_xml_(from|to)_native)",
     "Xen-era native formats virtbus does not offer"),
    ("identity", r"^connect_set_identity$", "virConnectSetIdentity: only libvirt's split daemons call it on each other"),
    ("migration", r"migrat", "migration other than v3 (managed or peer-to-peer): tunnelled migration (PrepareTunnel3 215, PrepareTunnel3Params 304) and the v1/v2 procedures (docs/qemu-migration.md)"),
    ("snapshot", r"(snapshot|checkpoint|backup)", "snapshots, checkpoints and backups (the QEMU XML/snapshots issue)"),
    ("console", r"(open_console|open_channel|open_graphics)", "consoles and graphics (the consoles issue)"),
    ("nodedev", r"node_device|nodedev",
     "node device changes: vfio-pci detach/reattach (no IOMMU group this host can give up), vHBA create/destroy, persistent mdevs"),
    ("confinement", r"security_label_list", "one security label per security driver (the confinement issue)"),
    ("cpu", r"(compare|baseline)(_hypervisor)?_cpu",
     "CPU comparison and baseline against what the hypervisor (not the host) can give a guest: "
     "QEMU's host-model under each accelerator is not probed yet (CompareCPU/BaselineCPU are served)"),
    ("hardware", r"(node_suspend|sev_info|launch_security|alloc_pages|free_pages)",
     "host facilities virtbus does not drive: host suspend (systemd-logind owns it), AMD SEV, resizing hugepage pools"),
    ("agent", r"(fs_?(freeze|thaw|trim)|get_fsinfo|guest_vcpus|guest_info|user_password|agent_|authorized_ssh|"
              r"domain_set_time$)", "guest-agent calls (need the QEMU guest agent channel: a later issue)"),
    ("jobs", r"(job|block_(pull|rebase|commit|copy|resize)|disk_errors|control_info|dirty_rate)",
     "block jobs and domain jobs (a later issue)"),
    ("lxc", r"^domain_send_process_signal$",
     "virDomainSendProcessSignal: only libvirt's LXC driver implements it; its QEMU driver answers \"not supported\" too"),
    ("hotplug", r"(attach|detach|update_device|save|restore|core_dump|set_vcpus?$|set_vcpus_flags|set_max_memory|"
                r"inject_nmi|send_key|send_process_signal|rename|with_files|fd_associate)",
     "device hotplug, save/restore and live changes (the hotplug/save issue)"),
    ("tuning", r"(pin_|blkio|numa|interface_parameters|block_io_tune|perf_events|iothread|memory_stats_period|"
               r"lifecycle_action|memory_parameters|block_threshold|get_cpu_stats|block_stats)",
     "tuning and statistics of running guests (the domain tuning and guest NIC issues)"),
    ("secret", r"secret", "secrets"),
    ("nwfilter", r"nwfilter", "network filters"),
    ("network", r"^network_|network_port", "network verbs the network issue owns"),
    ("storage", r"storage", "storage verbs the storage issue owns"),
    ("interface", r"^interface_", "interface changes (the udev backend is read-only, as libvirt's)"),
    ("other", r".", "not served yet"),
]


def reason(name):
    for key, pat, why in REASONS:
        if re.search(pat, name):
            return key, why
    return "other", ""


callable_procs = {n: v for n, v in procs.items() if v[1]}
events = {n: v for n, v in procs.items() if not v[1]}
ns = {n: v for n, v in callable_procs.items() if n not in served_procs}
groups = {}
for n, (name, api) in sorted(ns.items()):
    groups.setdefault(reason(name), []).append((n, name, api))

members = {"served": 0, "not_supported": 0, "properties": 0, "signals": 0}
ns_members = []
for f in sorted((TOP / "interfaces").glob("*.xml")):
    for iface in ET.parse(f).getroot().iter("interface"):
        for el in iface:
            if el.tag == "property":
                members["properties"] += 1
            elif el.tag == "signal":
                members["signals"] += 1
            elif el.tag == "method":
                ext = [a for a in el.findall("annotation") if a.get("name") == "org.libvirt.virtbus.Extension"]
                nsa = [a.get("value") for a in el.findall("annotation") if a.get("name") == "org.libvirt.virtbus.NotSupported"]
                if ext:
                    continue
                if nsa:
                    members["not_supported"] += 1
                    ns_members.append("%s.%s (%s)" % (iface.get("name"), el.get("name"), nsa[0]))
                else:
                    members["served"] += 1

out = ["# API coverage", "",
       "Generated by scripts/gen-api-coverage.py from the API table; do not edit by hand.", "",
       "## The remote door (libvirt 9.0's REMOTE_PROGRAM)", "",
       "| | procedures |", "|---|---|",
       "| defined by libvirt 9.0 | %d |" % len(procs),
       "| without a public API: events the daemon sends, authentication exchanges | %d |" % len(events),
       "| served by a handler | %d |" % len(served_procs & set(callable_procs)),
       "| with an API row answering \"not supported\" after its gates (read-only, ACL) | %d |" % len(row_unsupported),
       "| answered \"not supported\" by the dispatcher (no row yet) | %d |" % (len(ns) - len(row_unsupported)),
       "", "Every callable procedure is either served or answered with libvirt's own text, "
       "`this function is not supported by the connection driver: <API>`; a procedure number libvirt does not "
       "define is `unknown procedure`. Some served procedures still say \"not supported\" on one connection "
       "(GetDomainCapabilities on Test, as libvirt's test driver; secrets and network filters on Test, which libvirt's "
       "test driver has none of, and network filter definitions on the session daemon, as libvirt's session daemon; "
       "node device detach/reattach, which need vfio-pci, on both).", ""]
for (key, why), items in sorted(groups.items(), key=lambda g: g[0][0]):
    out.append("### Not supported: %s (%d)" % (why, len(items)))
    out.append("")
    out.append(", ".join("%d `%s`" % (n, api) for n, name, api in items))
    out.append("")
out += ["## The D-Bus door (libvirt-dbus 1.4.1)", "",
        "| | count |", "|---|---|",
        "| methods served | %d |" % members["served"],
        "| methods answering \"not supported\" (marked org.libvirt.virtbus.NotSupported in interfaces/) | %d |"
        % members["not_supported"],
        "| properties | %d |" % members["properties"],
        "| signals (all emitted from core notices) | %d |" % members["signals"], "",
        "The methods answering \"not supported\" (after their object's lookup), with the function they name:", ""]
out += ["- " + m for m in ns_members]
out.append("")
print("\n".join(out))
