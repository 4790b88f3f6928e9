#!/usr/bin/python3
"""The layers of docs/architecture.md, held against the code in two ways.

1. Every quoted #include in service/, drivers/ and lib/ names a header of a layer the file's
   own layer may use, and no file outside conf/ reads conf's internal headers. sd-bus message
   types and XDR stay in their doors.
2. The build itself refuses the rest: for each layer, a probe that includes a header of every
   layer it may not use is compiled with that layer's real flags (from compile_commands.json)
   and must fail, while a probe of its own header and of util's must compile.

Usage: check-layers.py SOURCE_ROOT BUILD_DIR
"""
import json, os, re, shlex, subprocess, sys

# layer -> folders (relative to the source root) that hold it
LAYERS = {
    "util": ["service/util"],
    "conf": ["service/conf"],
    "conf-internal": ["service/conf/internal"],
    "core": ["service/core"],
    "authz": ["service/authz"],
    "lib": ["lib"],
    "driver-test": ["drivers/test"],
    "driver-qemu": ["drivers/qemu"],
    "driver-storage": ["drivers/storage"],
    "driver-security": ["drivers/security"],
    "driver-network": ["drivers/network"],
    "bus": ["service/bus"],
    "remote": ["service/remote/proto", "service/remote/transport", "service/remote/client"],
    "daemon": ["service/daemon"],
}
BASE = {"util"}
ALLOWED = {
    "util": BASE,
    "conf": BASE | {"conf", "conf-internal"},
    "conf-internal": BASE | {"conf", "conf-internal"},
    "core": BASE | {"conf", "core"},
    "authz": BASE | {"conf", "core", "authz"},
    "lib": BASE | {"lib"},
    "driver-test": BASE | {"conf", "core", "lib", "driver-test"},
    "driver-qemu": BASE | {"conf", "core", "lib", "driver-qemu", "driver-security"},
    "driver-storage": BASE | {"conf", "core", "lib", "driver-storage"},
    # The security drivers (DAC …): a definition and a process in, never a Domain or a door.
    "driver-security": BASE | {"conf", "core", "lib", "driver-security"},
    "driver-network": BASE | {"conf", "core", "lib", "driver-network"},
    "bus": BASE | {"conf", "core", "authz", "bus"},
    "remote": BASE | {"conf", "core", "authz", "remote"},
    "daemon": set(LAYERS) - {"conf-internal"},
}
# System headers a layer may not include: the core and the drivers never see a D-Bus
# message or XDR; only the bus door speaks sd-bus.
FORBIDDEN_SYSTEM = {
    "sd-bus": re.compile(r"<systemd/sd-bus\.h>"),
    "xdr": re.compile(r"<rpc/"),
}
SYSTEM_ALLOWED = {"sd-bus": {"bus", "daemon"}, "xdr": {"remote", "daemon"}}
# Single files outside those layers that may: lib/machined.c is a client of systemd-machined on
# the system bus (its own connection, never a door's message); its header shows no sd-bus type.
SYSTEM_ALLOWED_FILES = {"sd-bus": {"lib/machined.c"}, "xdr": set()}
BUILD_CONFIG = "build-config.h"


def layer_of(rel):
    best = None
    for layer, dirs in LAYERS.items():
        for d in dirs:
            if rel.startswith(d + "/") and os.path.dirname(rel) == d:
                best = layer
    return best


def scan(root):
    headers, files = {}, []
    for layer, dirs in LAYERS.items():
        for d in dirs:
            p = os.path.join(root, d)
            if not os.path.isdir(p):
                continue
            for name in sorted(os.listdir(p)):
                if name.endswith((".c", ".h")):
                    files.append((layer, os.path.join(d, name)))
                    if name.endswith(".h"):
                        if name in headers:
                            raise SystemExit(f"two headers named {name}: {headers[name][1]} and {d}/{name}")
                        headers[name] = (layer, f"{d}/{name}")
    return headers, files


def static_check(root, headers, files):
    problems = []
    inc = re.compile(r'^\s*#\s*include\s+([<"])([^">]+)[">]')
    for layer, rel in files:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = inc.match(line)
                if not m:
                    continue
                kind, name = m.groups()
                if kind == "<":
                    for what, rx in FORBIDDEN_SYSTEM.items():
                        if rx.search(line) and layer not in SYSTEM_ALLOWED[what] and rel not in SYSTEM_ALLOWED_FILES[what]:
                            problems.append(f"{rel}:{n}: layer {layer} includes {name} ({what} belongs to its door)")
                    continue
                if name == BUILD_CONFIG:
                    continue
                base = os.path.basename(name)
                if "/" in name:
                    problems.append(f"{rel}:{n}: includes {name} by path: name the header alone")
                if base not in headers:
                    problems.append(f"{rel}:{n}: includes {name}, which is no header of a layer")
                    continue
                hl, hrel = headers[base]
                if hl not in ALLOWED[layer]:
                    problems.append(f"{rel}:{n}: layer {layer} may not include {hrel} (layer {hl})")
    return problems


def layer_flags(root, build):
    """One compile command per layer, from a file of that layer."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        cmds = json.load(f)
    by_layer = {}
    for c in cmds:
        src = os.path.normpath(os.path.join(c["directory"], c["file"]))
        rel = os.path.relpath(src, root)
        layer = layer_of(rel)
        # The widest view a layer has: the command with the most include paths (the QEMU
        # driver's pure command-line library sees less than the driver proper).
        if layer and rel.endswith(".c"):
            width = c["command"].count(" -I")
            if layer not in by_layer or width > by_layer[layer]["command"].count(" -I"):
                by_layer[layer] = c
    return by_layer


def probe(cmd, header):
    args = shlex.split(cmd["command"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MQ", "-MT", "-c"):
            skip = True
            continue
        if a == "-MD" or a.endswith((".c",)):
            continue
        out.append(a)
    out += ["-fsyntax-only", "-x", "c", "-"]
    src = f'#include "{header}"\nint layer_probe(void);\n'
    r = subprocess.run(out, input=src, text=True, cwd=cmd["directory"], capture_output=True)
    return r.returncode == 0


def build_check(root, build, headers):
    problems, checked = [], 0
    flags = layer_flags(root, build)
    # One public header per layer to probe with.
    # (a name the system also has, such as paths.h, would prove nothing)
    sample = {}
    for name, (layer, rel) in sorted(headers.items()):
        if not os.path.exists(os.path.join("/usr/include", name)):
            sample.setdefault(layer, name)
    for layer, cmd in sorted(flags.items()):
        if layer == "daemon":
            continue
        for other, header in sorted(sample.items()):
            allowed = other in ALLOWED[layer] and not (other == "conf-internal" and layer not in ("conf", "conf-internal"))
            # A layer need not link everything it may use (the Test driver uses no lib/); its
            # own headers and util's must compile, which shows the probe itself works.
            must = other in (layer, "util")
            if allowed and not must:
                continue
            ok = probe(cmd, header)
            checked += 1
            if must and not ok:
                problems.append(f"layer {layer}: {header} (layer {other}) should compile and does not")
            if not allowed and ok:
                problems.append(f"layer {layer}: {header} (layer {other}) compiles, but the layer may not see it")
    return problems, checked, sorted(flags)


def main():
    root, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    headers, files = scan(root)
    problems = static_check(root, headers, files)
    bproblems, checked, layers = build_check(root, build, headers)
    problems += bproblems
    missing = {l for l in LAYERS if any(os.path.isdir(os.path.join(root, d)) for d in LAYERS[l])} - set(layers) - {"conf-internal"}
    for l in sorted(missing):
        problems.append(f"layer {l} has no compiled file in compile_commands.json: cannot probe it")
    for p in problems:
        print(p)
    print(f"{len(files)} files scanned, {checked} include probes over {len(layers)} layers")
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
