#!/usr/bin/python3
"""Turn the shared captures' decodes (*.decoded.txt) into packet files for the remote tests.

usage: extract-captures.py CAPTURES_DIR OUT_DIR [NAME ...]

Each NAME.pkts has one packet per line, the whole packet (length word included) in hex:
"C <hex>" for client to server, "S <hex>" for server to client. Lines starting with '#' are
comments. The packets are rebuilt from the decoded headers and payload dumps and checked
against the length each header line states.
"""
import os
import re
import sys

HEAD = re.compile(r'^#\d+ (C->S|S->C) t=\S+ len=(\d+) prog=\S*?\((0x[0-9a-f]+)\) vers=(\d+) '
                  r'proc=(-?\d+)\(.*?\) type=\w+\((\d+)\) serial=(\d+) status=\w+\((\d+)\)')
HEX = re.compile(r'^      [0-9a-f]{4}  ((?:[0-9a-f]{2} ?)+)')


def be32(v):
    return (v & 0xffffffff).to_bytes(4, 'big')


def parse(path):
    packets = []
    cur = None
    for line in open(path, encoding='utf-8', errors='replace'):
        m = HEAD.match(line)
        if m:
            if cur:
                packets.append(cur)
            d, length, prog, vers, proc, typ, serial, status = m.groups()
            cur = {'dir': 'C' if d == 'C->S' else 'S', 'len': int(length),
                   'hdr': b''.join(be32(int(x, 0)) for x in (prog, vers, proc, typ, serial, status)),
                   'payload': bytearray()}
            continue
        m = HEX.match(line)
        if m and cur is not None:
            cur['payload'] += bytes.fromhex(m.group(1).replace(' ', ''))
    if cur:
        packets.append(cur)
    out = []
    for p in packets:
        data = be32(p['len']) + p['hdr'] + bytes(p['payload'])
        if len(data) != p['len']:
            raise SystemExit('%s: packet length %d != %d' % (path, len(data), p['len']))
        out.append((p['dir'], data))
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or sorted(f[:-len('.decoded.txt')] for f in os.listdir(src)
                                    if f.endswith('.decoded.txt'))
    os.makedirs(dst, exist_ok=True)
    for name in names:
        packets = parse(os.path.join(src, name + '.decoded.txt'))
        with open(os.path.join(dst, name + '.pkts'), 'w') as f:
            f.write('# %s: %d packets, from ../../../shared/interop/captures/%s.decoded.txt\n'
                    % (name, len(packets), name))
            for d, data in packets:
                f.write('%s %s\n' % (d, data.hex()))


if __name__ == '__main__':
    main()
