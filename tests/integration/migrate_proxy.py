"""migrate_proxy.py: a unix-socket relay in front of a daemon that answers
virConnectSupportsFeature(VIR_DRV_FEATURE_MIGRATION_PARAMS) with 0, as a daemon older than
libvirt 1.1.0 would, so real clients (virsh, python3-libvirt) fall back to the v3 migration
procedures without typed parameters. Every other byte passes unchanged; the procedures the
client called are recorded, so a test can say which path was taken."""

import os
import socket
import struct
import threading

REMOTE_PROGRAM = 0x20008086
PROC_SUPPORTS_FEATURE = 60
FEATURE_MIGRATION_PARAMS = 13
TYPE_CALL, TYPE_REPLY = 0, 1


def _read_packet(sock):
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    (length,) = struct.unpack(">I", head)
    body = b""
    while len(body) < length - 4:
        chunk = sock.recv(length - 4 - len(body))
        if not chunk:
            return None
        body += chunk
    return head + body


class FeatureHidingProxy:
    def __init__(self, target, path):
        self.target, self.path = str(target), str(path)
        self.procs = []             # remote procedures the clients called, in order
        self.lock = threading.Lock()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.listener.bind(self.path)
        self.listener.listen(8)
        threading.Thread(target=self._accept, daemon=True).start()

    def uri(self):
        return "qemu+unix:///session?socket=%s" % self.path

    def close(self):
        self.listener.close()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.connect(self.target)
            hidden = set()      # serials of the calls asking for MIGRATION_PARAMS
            threading.Thread(target=self._pump, args=(client, server, hidden, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, hidden, False), daemon=True).start()

    def _pump(self, src, dst, hidden, calls):
        while True:
            try:
                pkt = _read_packet(src)
            except OSError:
                pkt = None
            if pkt is None:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                if not calls:       # the second pump to end closes both
                    src.close()
                    dst.close()
                return
            prog, _vers, proc, typ, serial, status = struct.unpack(">6I", pkt[4:28])
            if prog == REMOTE_PROGRAM and calls and typ == TYPE_CALL:
                with self.lock:
                    self.procs.append(proc)
                if proc == PROC_SUPPORTS_FEATURE and struct.unpack(">i", pkt[28:32])[0] == FEATURE_MIGRATION_PARAMS:
                    hidden.add(serial)
            elif prog == REMOTE_PROGRAM and not calls and typ == TYPE_REPLY and serial in hidden and status == 0:
                hidden.discard(serial)
                pkt = struct.pack(">I", 32) + pkt[4:28] + struct.pack(">i", 0)
            try:
                dst.sendall(pkt)
            except OSError:
                return
