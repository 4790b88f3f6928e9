#!/usr/bin/python3
"""No loop inside a folder: the core's files stand in floors (docs/architecture.md, "The core"),
and so do the remote door's transport's (service/remote/transport).

A file is its .c with the .h of the same name. File A stands on file B when A (its .c or its .h)
includes B's header, or when A's object file in the core's static library uses a symbol that
B's object file defines. A loop of such arrows means two files each need the other: the loop is
printed with the names each arrow carries, and the check fails.

Usage: check-core-loops.py SOURCE_ROOT BUILD_DIR [FOLDER LIBRARY MEMBER_PREFIX]
(the core by default: service/core, its library, members named after the file alone).
"""
import collections, os, re, subprocess, sys

CORE = "service/core"
LIBRARY = "service/core/libvirtbus-core.a"
PREFIX = ""     # the archive member of FOLDER/x.c is PREFIX + "x.c.o"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SYMBOL = re.compile(r"^(.*\.o):\s*[0-9a-f]*\s+(\S)\s+(\S+)$")


def stem(name):
    return os.path.splitext(os.path.basename(name))[0]


def include_arrows(root):
    core = os.path.join(root, CORE)
    names = {n for n in os.listdir(core) if n.endswith((".c", ".h"))}
    arrows = collections.defaultdict(lambda: collections.defaultdict(set))
    for name in sorted(names):
        with open(os.path.join(core, name), encoding="utf-8") as f:
            for line in f:
                m = INCLUDE.match(line)
                if m and m.group(1) in names and stem(m.group(1)) != stem(name):
                    arrows[stem(name)][stem(m.group(1))].add("#include " + m.group(1))
    return {stem(n) for n in names}, arrows


def symbol_arrows(build, files, arrows):
    lib = os.path.join(build, LIBRARY)
    out = subprocess.run(["nm", "-A", lib], capture_output=True, text=True, check=True).stdout
    defined, used, members = {}, collections.defaultdict(set), set()
    for line in out.splitlines():
        # ARCHIVE:MEMBER.o:VALUE TYPE NAME (VALUE blank for an undefined symbol)
        m = SYMBOL.match(line)
        if not m:
            continue
        member = os.path.basename(m.group(1).rsplit(":", 1)[-1])
        if not member.startswith(PREFIX):
            continue        # another folder's file in the same library
        f = stem(stem(member[len(PREFIX):]))     # …/domain.c.o -> domain
        if f not in files:
            continue
        members.add(f)
        kind, name = m.group(2), m.group(3)
        if kind in "TDRBC":
            defined[name] = f
        elif kind == "U":
            used[f].add(name)
    for f, names in used.items():
        for name in names:
            g = defined.get(name)
            if g and g != f:
                arrows[f][g].add(name)
    if not members:
        sys.exit(f"no object file of {CORE} in {LIBRARY} (members named {PREFIX}NAME.c.o): nothing to check")
    return len(defined)


def loops(files, arrows):
    """The strongly connected groups of more than one file (Tarjan's algorithm, iterative)."""
    index, low, on, stack, groups, counter = {}, {}, set(), [], [], 0
    for start in sorted(files):
        if start in index:
            continue
        work = [(start, iter(sorted(arrows.get(start, {}))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(arrows.get(w, {})))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                group = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    group.append(w)
                    if w == v:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def main():
    global CORE, LIBRARY, PREFIX
    root, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if len(sys.argv) == 6:
        CORE, LIBRARY, PREFIX = sys.argv[3:6]
    files, arrows = include_arrows(root)
    n_symbols = symbol_arrows(build, files, arrows)
    groups = loops(files, arrows)
    for group in groups:
        print(f"loop of {len(group)} files in {CORE}: {', '.join(group)}")
        for a in group:
            for b in sorted(arrows[a]):
                if b in group:
                    print(f"  {a} -> {b}: {', '.join(sorted(arrows[a][b]))}")
    n_arrows = sum(len(v) for v in arrows.values())
    print(f"{len(files)} files, {n_arrows} arrows ({n_symbols} symbols defined in the library)")
    print(f"{0 if groups else 1} passed, {1 if groups else 0} failed")
    return 1 if groups else 0


if __name__ == "__main__":
    sys.exit(main())
