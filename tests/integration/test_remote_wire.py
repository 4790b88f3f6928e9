#!/usr/bin/python3
"""test_remote_wire.py: the remote protocol byte by byte, with a raw socket client.

* Replays of captured sessions: the CALL packets that virsh 9.0 sent to libvirtd 9.0 (the
  captures in shared/interop/captures, embedded at the end of this file), sent to a fresh
  virtbusd; every REPLY must be byte-identical to libvirtd's (auth_list, supports_feature,
  connect_open, lookups and their errors, get_type, get_version, node_get_info, the XML).
* Framing: length words the daemon must refuse (0, 27, 33554437: connection closed, daemon
  alive), a packet written one byte at a time, pipelined calls, many clients at once.
* Clients that vanish: mid-call, mid-packet, with a reset.
* Errors that keep the connection usable: unknown procedure, program, version (capture 57).
* The event MESSAGE layout (proc 318, callbackID first).
"""

import socket
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from remote_harness import (MESSAGE, OK, PROC_AUTH_LIST, PROC_CONNECT_GET_TYPE,  # noqa: E402
                            PROC_CONNECT_OPEN, PROC_LIST_ALL_DOMAINS, REMOTE_PROGRAM, REPLY,
                            RawClient, TEST_DOMAIN_UUID, Unpacker, daemon_serves, libvirt_module, main,
                            p_domain, p_int, p_opt_string, p_uint, pack_packet, parse_remote_error,
                            transports)


def describe(raw):
    """A packet as text, for failure messages."""
    if len(raw) < 28:
        return raw.hex()
    n, prog, vers, proc, typ, serial, status = struct.unpack(">IIIiIII", raw[:28])
    s = "len=%d prog=%#x vers=%d proc=%d type=%d serial=%d status=%d" % (n, prog, vers, proc, typ, serial, status)
    if status == 1 and typ == REPLY:
        try:
            s += " %r" % (parse_remote_error(raw[28:]),)
        except Exception as e:  # a malformed error is worth seeing as it is
            s += " (bad remote_error: %s) %s" % (e, raw[28:].hex())
    else:
        s += " payload=%s" % raw[28:].hex()
    return s


class _Replay:
    def replay(self, msgs):
        with RawClient(self.daemon.addr(self.transport)) as c:
            for i, (direction, hx) in enumerate(msgs):
                raw = bytes.fromhex(hx)
                if direction == "C":
                    c.send_raw(raw)
                    continue
                p = c.recv()
                if p.raw != raw:
                    self.fail("message %d differs from libvirtd's:\n  libvirtd: %s\n  daemon:   %s"
                              % (i + 1, describe(raw), describe(p.raw)))

    def replay_virsh(self, name):
        msgs = HANDSHAKE + CAPTURES[name]
        serial = max(struct.unpack(">I", bytes.fromhex(h)[20:24])[0] for d, h in msgs if d == "C") + 1
        for proc, s in ((361, serial), (2, serial + 1)):
            msgs = msgs + [("C", pack_packet(proc, serial=s).hex()),
                           ("S", pack_packet(proc, type=REPLY, serial=s).hex())]
        self.replay(msgs)

    def test_capture_01_list_all(self):
        self.replay_virsh("01-connect-list-all")

    def test_capture_02_dumpxml(self):
        self.replay_virsh("02-dumpxml")

    def test_capture_10_net_list_all(self):
        self.replay_virsh("10-net-list-all")

    def test_capture_11_net_dumpxml(self):
        self.replay_virsh("11-net-dumpxml-default")

    def test_capture_12_pool_list_all(self):
        self.replay_virsh("12-pool-list-all")

    def test_capture_13_vol_list(self):
        self.replay_virsh("13-vol-list")

    def test_capture_18_lookup_errors(self):
        for name in ("18-error-dumpxml-nosuchdom", "18b-error-net-dumpxml-nosuchnet",
                     "18c-error-pool-info-nosuchpool"):
            with self.subTest(name):
                self.replay_virsh(name)

    def test_capture_18d_lookup_of_restarted_domain(self):
        # 18d was taken after "test" had been restarted three times: its id was 4
        for _ in range(3):
            for cmd in ("shutdown test", "start test"):
                p = self.virsh(cmd)
                self.assertEqual(p.returncode, 0, p.stderr)
        self.replay_virsh("18d-error-start-running-domain")

    def test_capture_19_version(self):
        self.replay_virsh("19-version")

    def test_capture_20_nodeinfo(self):
        self.replay_virsh("20-nodeinfo")

    def test_capture_57_error_cases(self):
        # a call before connect_open, unknown procedure 9999, an unknown version, an unknown
        # program, then get_type still answers, a PING gets its PONG, connect_close
        self.replay(CAPTURE_57)


class _Framing:
    def assertDropped(self, data, why):
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.call(PROC_AUTH_LIST)
            c.send_raw(data)
            self.assertIsNotNone(c.wait_closed(5), "connection not closed after %s" % why)
        self.assertEqual(daemon_serves(self.daemon.addr(self.transport)), "TEST", "after " + why)

    def test_bad_length_words_close_the_connection(self):
        self.assertDropped(struct.pack(">I", 0), "length word 0")
        self.assertDropped(struct.pack(">I", 4), "length word 4")
        # 27: one byte short of a header; the 23 bytes that it announces are sent
        self.assertDropped(struct.pack(">I", 27) + pack_packet(3)[4:27], "length word 27")
        self.assertDropped(struct.pack(">I", 33554437), "length word 33554437 (one past the maximum)")
        self.assertDropped(struct.pack(">I", 0xFFFFFFFF), "length word 0xffffffff")

    def test_largest_length_word_is_accepted(self):
        # 33554436 is libvirt's maximum: the daemon waits for the body rather than refusing
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.call(PROC_AUTH_LIST)
            c.send_raw(struct.pack(">I", 33554436) + pack_packet(3)[4:28])
            self.assertIsNone(c.wait_closed(0.5), "a packet of the maximum size was refused at once")
        self.assertEqual(daemon_serves(self.daemon.addr(self.transport)), "TEST")

    def test_garbage_header_is_refused_without_harm(self):
        # a complete packet whose header is nonsense: an error reply or a closed connection,
        # never a crash
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.send_raw(struct.pack(">I", 40) + b"\xff" * 36)
            try:
                c.recv(timeout=2)
            except Exception:
                pass
        self.assertEqual(daemon_serves(self.daemon.addr(self.transport)), "TEST")

    def test_packet_written_one_byte_at_a_time(self):
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1) if self.transport == "tcp" else None
            for proc, payload in ((PROC_AUTH_LIST, b""), (PROC_CONNECT_OPEN, p_opt_string("test:///default") + p_uint(0)),
                                  (PROC_CONNECT_GET_TYPE, b"")):
                s = c.serial
                c.serial += 1
                for b in pack_packet(proc, payload, serial=s):
                    c.send_raw(bytes([b]))
                    time.sleep(0.0005)
                p = c.recv_reply(s)
                self.assertEqual(p.status, OK, describe(p.raw))
            self.assertEqual(Unpacker(p.payload).string(), "TEST")

    def test_pipelined_calls(self):
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.handshake()
            data = b""
            first = c.serial
            for i in range(50):
                proc = PROC_CONNECT_GET_TYPE if i % 2 else PROC_LIST_ALL_DOMAINS
                data += pack_packet(proc, b"" if i % 2 else p_int(1) + p_uint(0), serial=first + i)
            c.serial += 50
            c.send_raw(data)       # in one write
            serials = []
            for i in range(50):
                p = c.recv_reply()
                self.assertEqual(p.status, OK, describe(p.raw))
                self.assertEqual(p.type, REPLY)
                serials.append(p.serial)
                want_proc = PROC_CONNECT_GET_TYPE if (p.serial - first) % 2 else PROC_LIST_ALL_DOMAINS
                self.assertEqual(p.proc, want_proc)
            self.assertEqual(sorted(serials), list(range(first, first + 50)))

    def test_many_clients_at_once(self):
        clients = [RawClient(self.daemon.addr(self.transport)) for _ in range(60)]
        try:
            for c in clients:
                c.send(PROC_AUTH_LIST)
            for c in clients:
                c.recv_reply(0)
                c.send(PROC_CONNECT_OPEN, p_opt_string("test:///default") + p_uint(0))
            for c in clients:
                c.recv_reply(1)
                self.assertEqual(Unpacker(c.call_ok(PROC_CONNECT_GET_TYPE).payload).string(), "TEST")
        finally:
            for c in clients:
                c.close()
        self.assertEqual(daemon_serves(self.daemon.addr(self.transport)), "TEST")


class _Vanishing:
    def test_client_vanishes_mid_call(self):
        libvirt = libvirt_module()
        keeper = libvirt.open(self.uri)      # a client that stays through it all
        try:
            for i in range(20):
                c = RawClient(self.daemon.addr(self.transport))
                c.handshake(keepalive=bool(i % 2))
                c.send(PROC_LIST_ALL_DOMAINS, p_int(1) + p_uint(3))
                c.send(7)                     # get_capabilities: a bigger reply
                if i % 3 == 0:               # a reset instead of an orderly close
                    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                c.close()
                if i % 5 == 0:
                    self.assertEqual(keeper.getType(), "TEST")
            self.assertEqual(keeper.lookupByName("test").ID(), 1)
            self.assertEqual(daemon_serves(self.daemon.addr(self.transport)), "TEST")
        finally:
            keeper.close()

    def test_client_vanishes_mid_packet(self):
        for cut in (2, 10, 30):
            c = RawClient(self.daemon.addr(self.transport))
            c.call(PROC_AUTH_LIST)
            c.send_raw(pack_packet(PROC_CONNECT_OPEN, p_opt_string("test:///default") + p_uint(0), serial=1)[:cut])
            c.close()
        self.assertEqual(daemon_serves(self.daemon.addr(self.transport)), "TEST")

    def test_client_vanishes_with_event_registration(self):
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.handshake()
            p = c.call_ok(316, p_int(0) + p_uint(0))      # lifecycle, any domain
        # the callback's connection is gone: a change must not trouble the daemon
        p = self.virsh("suspend test")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(daemon_serves(self.daemon.addr(self.transport)), "TEST")


class _Protocol:
    def test_unknown_procedure_keeps_the_connection(self):
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.handshake()
            for proc in (9999, 0, -1, 100000):
                p = c.call(proc)
                self.assertEqual((p.prog, p.vers, p.proc, p.type, p.status), (REMOTE_PROGRAM, 1, proc, REPLY, 1))
                e = parse_remote_error(p.payload)
                self.assertEqual((e.code, e.domain, e.message, e.level, e.str1, e.str2),
                                 (39, 7, "unknown procedure: %d" % proc, 2, "%s", "unknown procedure: %d" % proc))
            self.assertEqual(Unpacker(c.call_ok(PROC_CONNECT_GET_TYPE).payload).string(), "TEST")

    def test_truncated_arguments_are_an_error_reply(self):
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.handshake()
            # domain_lookup_by_name whose string claims more bytes than the packet holds
            p = c.call(23, p_uint(1000) + b"test")
            self.assertEqual(p.status, 1, describe(p.raw))
            parse_remote_error(p.payload)
            self.assertEqual(Unpacker(c.call_ok(PROC_CONNECT_GET_TYPE).payload).string(), "TEST")

    def test_lifecycle_event_message_layout(self):
        with RawClient(self.daemon.addr(self.transport)) as c:
            c.handshake()
            cb = Unpacker(c.call_ok(316, p_int(0) + p_uint(0)).payload).int()
            p = self.virsh("suspend test")
            self.assertEqual(p.returncode, 0, p.stderr)
            ev = c.recv(timeout=5)
            self.assertEqual((ev.prog, ev.vers, ev.proc, ev.type, ev.status), (REMOTE_PROGRAM, 1, 318, MESSAGE, OK))
            # remote_domain_event_callback_lifecycle_msg: callbackID, dom, event, detail
            self.assertEqual(ev.payload, p_int(cb) + p_domain("test", TEST_DOMAIN_UUID, 1) + p_int(3) + p_int(0))
            c.call_ok(317, p_int(cb))
            self.assertEqual(self.virsh("resume test").returncode, 0)
            # deregistered: the next thing on the wire is the reply to this call, no event
            p = c.call_ok(PROC_CONNECT_GET_TYPE)
            self.assertEqual(c.messages, [])

    def test_serials_are_echoed(self):
        with RawClient(self.daemon.addr(self.transport)) as c:
            for serial in (0, 7, 0x7FFFFFFF, 0xFFFFFFFF, 3):
                p = c.call(PROC_AUTH_LIST, serial=serial)
                self.assertEqual((p.serial, p.proc, p.type, p.status), (serial, PROC_AUTH_LIST, REPLY, OK))


globals().update(transports("unix", "tcp")(_Replay))
globals().update(transports("unix", "tcp")(_Framing))
globals().update(transports("unix", "tcp")(_Vanishing))
globals().update(transports("unix", "tcp")(_Protocol))


# ---------------------------------------------------------------------------------------------
# Captured bytes (libvirt 9.0: virsh -> libvirtd, test:///default fresh), from
# shared/interop/captures/*.decoded.txt: "C" = client to server (sent as is), "S" = server to
# client (what the daemon must answer, byte for byte).

# The common start of every virsh run (capture 01, messages 1-12).
HANDSHAKE = [
    ("C", "0000001c200080860000000100000042000000000000000000000000"),
    ("S", "000000242000808600000001000000420000000100000000000000000000000100000000"),
    ("C", "0000002020008086000000010000003c0000000000000001000000000000000a"),
    ("S", "0000002020008086000000010000003c00000001000000010000000000000001"),
    ("C", "00000038200080860000000100000001000000000000000200000000000000010000000f74657374"
          "3a2f2f2f64656661756c740000000000"),
    ("S", "0000001c200080860000000100000001000000010000000200000000"),
    ("C", "0000002020008086000000010000003c0000000000000003000000000000000e"),
    ("S", "0000002020008086000000010000003c00000001000000030000000000000001"),
    ("C", "0000002020008086000000010000003c0000000000000004000000000000000f"),
    ("S", "0000002020008086000000010000003c00000001000000040000000000000001"),
    ("C", "0000001c200080860000000100000168000000000000000500000000"),
    ("S", "0000001c200080860000000100000168000000010000000500000000"),
]

# What follows the common start, up to the closing 361 and 2 (which replay() adds).
CAPTURES = {
    '01-connect-list-all': [
        ("C", "000000242000808600000001000001110000000000000006000000000000000100000003"),
        ("S", "00000040200080860000000100000111000000010000000600000000000000010000000474657374"
              "6695eb01f6a4830479aa97f2502e193f0000000100000001"),
        ("C", "0000003c2000808600000001000000d400000000000000070000000000000004746573746695eb01"
              "f6a4830479aa97f2502e193f0000000100000000"),
        ("S", "000000242000808600000001000000d40000000100000007000000000000000100000000"),
    ],
    '02-dumpxml': [
        ("C", "000000242000808600000001000000170000000000000006000000000000000474657374"),
        ("S", "0000003820008086000000010000001700000001000000060000000000000004746573746695eb01"
              "f6a4830479aa97f2502e193f00000001"),
        ("C", "0000003c20008086000000010000000e00000000000000070000000000000004746573746695eb01"
              "f6a4830479aa97f2502e193f0000000100000000"),
        ("S", "0000042c20008086000000010000000e0000000100000007000000000000040a3c646f6d61696e20"
              "747970653d2774657374272069643d2731273e0a20203c6e616d653e746573743c2f6e616d653e0a"
              "20203c757569643e36363935656230312d663661342d383330342d373961612d3937663235303265"
              "313933663c2f757569643e0a20203c6d656d6f727920756e69743d274b6942273e38333838363038"
              "3c2f6d656d6f72793e0a20203c63757272656e744d656d6f727920756e69743d274b6942273e3230"
              "39373135323c2f63757272656e744d656d6f72793e0a20203c7663707520706c6163656d656e743d"
              "27737461746963273e323c2f766370753e0a20203c6f733e0a202020203c7479706520617263683d"
              "2769363836273e68766d3c2f747970653e0a202020203c626f6f74206465763d276864272f3e0a20"
              "203c2f6f733e0a20203c636c6f636b206f66667365743d27757463272f3e0a20203c6f6e5f706f77"
              "65726f66663e64657374726f793c2f6f6e5f706f7765726f66663e0a20203c6f6e5f7265626f6f74"
              "3e726573746172743c2f6f6e5f7265626f6f743e0a20203c6f6e5f63726173683e64657374726f79"
              "3c2f6f6e5f63726173683e0a20203c646576696365733e0a202020203c6469736b20747970653d27"
              "66696c6527206465766963653d276469736b273e0a2020202020203c736f757263652066696c653d"
              "272f67756573742f6469736b696d61676531272f3e0a2020202020203c746172676574206465763d"
              "2776646127206275733d2776697274696f272f3e0a2020202020203c616464726573732074797065"
              "3d277063692720646f6d61696e3d2730783030303027206275733d27307830312720736c6f743d27"
              "30783030272066756e6374696f6e3d27307830272f3e0a202020203c2f6469736b3e0a202020203c"
              "696e7465726661636520747970653d276e6574776f726b273e0a2020202020203c6d616320616464"
              "726573733d2761613a62623a63633a64643a65653a6666272f3e0a2020202020203c736f75726365"
              "206e6574776f726b3d2764656661756c74272f3e0a2020202020203c746172676574206465763d27"
              "746573746e657430272f3e0a2020202020203c6164647265737320747970653d277063692720646f"
              "6d61696e3d2730783030303027206275733d27307830302720736c6f743d2730783031272066756e"
              "6374696f6e3d27307830272f3e0a202020203c2f696e746572666163653e0a202020203c6d656d62"
              "616c6c6f6f6e206d6f64656c3d2776697274696f273e0a2020202020203c61646472657373207479"
              "70653d277063692720646f6d61696e3d2730783030303027206275733d27307830302720736c6f74"
              "3d2730783032272066756e6374696f6e3d27307830272f3e0a202020203c2f6d656d62616c6c6f6f"
              "6e3e0a20203c2f646576696365733e0a3c2f646f6d61696e3e0a0000"),
    ],
    '10-net-list-all': [
        ("C", "0000002420008086000000010000011b0000000000000006000000000000000100000003"),
        ("S", "0000004020008086000000010000011b000000010000000600000000000000010000000764656661"
              "756c7400dd8fe8846c02601e7551cca97df1c5df00000001"),
        ("C", "0000003820008086000000010000002c0000000000000007000000000000000764656661756c7400"
              "dd8fe8846c02601e7551cca97df1c5df"),
        ("S", "0000002020008086000000010000002c00000001000000070000000000000000"),
        ("C", "000000382000808600000001000000990000000000000008000000000000000764656661756c7400"
              "dd8fe8846c02601e7551cca97df1c5df"),
        ("S", "0000002020008086000000010000009900000001000000080000000000000001"),
        ("C", "000000382000808600000001000000980000000000000009000000000000000764656661756c7400"
              "dd8fe8846c02601e7551cca97df1c5df"),
        ("S", "0000002020008086000000010000009800000001000000090000000000000001"),
    ],
    '11-net-dumpxml-default': [
        ("C", "0000002820008086000000010000002e0000000000000006000000000000000764656661756c7400"),
        ("S", "0000003820008086000000010000002e0000000100000006000000000000000764656661756c7400"
              "dd8fe8846c02601e7551cca97df1c5df"),
        ("C", "0000003c20008086000000010000002b0000000000000007000000000000000764656661756c7400"
              "dd8fe8846c02601e7551cca97df1c5df00000000"),
        ("S", "0000015820008086000000010000002b000000010000000700000000000001363c6e6574776f726b"
              "3e0a20203c6e616d653e64656661756c743c2f6e616d653e0a20203c757569643e64643866653838"
              "342d366330322d363031652d373535312d6363613937646631633564663c2f757569643e0a20203c"
              "666f7277617264206d6f64653d276e6174272f3e0a20203c627269646765206e616d653d27766972"
              "62723027207374703d276f6e272064656c61793d2730272f3e0a20203c697020616464726573733d"
              "273139322e3136382e3132322e3127206e65746d61736b3d273235352e3235352e3235352e30273e"
              "0a202020203c646863703e0a2020202020203c72616e67652073746172743d273139322e3136382e"
              "3132322e322720656e643d273139322e3136382e3132322e323534272f3e0a202020203c2f646863"
              "703e0a20203c2f69703e0a3c2f6e6574776f726b3e0a0000"),
    ],
    '12-pool-list-all': [
        ("C", "000000242000808600000001000001190000000000000006000000000000000100000003"),
        ("S", "00000044200080860000000100000119000000010000000600000000000000010000000c64656661"
              "756c742d706f6f6cdfe224cb28fb8dd0c4b264eb3f0f456600000001"),
        ("C", "0000003c2000808600000001000000590000000000000007000000000000000c64656661756c742d"
              "706f6f6cdfe224cb28fb8dd0c4b264eb3f0f4566"),
        ("S", "0000002020008086000000010000005900000001000000070000000000000000"),
        ("C", "0000003c2000808600000001000000570000000000000008000000000000000c64656661756c742d"
              "706f6f6cdfe224cb28fb8dd0c4b264eb3f0f4566"),
        ("S", "00000038200080860000000100000057000000010000000800000000000000020000001900000000"
              "00000000000000000000001900000000"),
        ("C", "0000003c20008086000000010000009a0000000000000009000000000000000c64656661756c742d"
              "706f6f6cdfe224cb28fb8dd0c4b264eb3f0f4566"),
        ("S", "0000002020008086000000010000009a00000001000000090000000000000001"),
    ],
    '13-vol-list': [
        ("C", "0000002c2000808600000001000000540000000000000006000000000000000c64656661756c742d"
              "706f6f6c"),
        ("S", "0000003c2000808600000001000000540000000100000006000000000000000c64656661756c742d"
              "706f6f6cdfe224cb28fb8dd0c4b264eb3f0f4566"),
        ("C", "0000004420008086000000010000011a0000000000000007000000000000000c64656661756c742d"
              "706f6f6cdfe224cb28fb8dd0c4b264eb3f0f45660000000100000000"),
        ("S", "0000002420008086000000010000011a0000000100000007000000000000000000000000"),
    ],
    '18-error-dumpxml-nosuchdom': [
        ("C", "0000002c200080860000000100000017000000000000000600000000000000096e6f73756368646f"
              "6d000000"),
        ("S", "000000702000808600000001000000170000000100000006000000010000002a0000000c00000001"
              "00000010446f6d61696e206e6f7420666f756e6400000002000000000000000100000010446f6d61"
              "696e206e6f7420666f756e640000000000000000ffffffffffffffff00000000"),
    ],
    '18b-error-net-dumpxml-nosuchnet': [
        ("C", "0000002c20008086000000010000002e000000000000000600000000000000096e6f737563686e65"
              "74000000"),
        ("S", "000000d420008086000000010000002e0000000100000006000000010000002b0000000c00000001"
              "0000003c4e6574776f726b206e6f7420666f756e643a206e6f206e6574776f726b2077697468206d"
              "61746368696e67206e616d6520276e6f737563686e65742700000002000000000000000100000015"
              "4e6574776f726b206e6f7420666f756e643a20257300000000000001000000296e6f206e6574776f"
              "726b2077697468206d61746368696e67206e616d6520276e6f737563686e65742700000000000000"
              "ffffffffffffffff00000000"),
    ],
    '18c-error-pool-info-nosuchpool': [
        ("C", "0000002c2000808600000001000000540000000000000006000000000000000a6e6f73756368706f"
              "6f6c0000"),
        ("S", "000000e8200080860000000100000054000000010000000600000001000000310000000c00000001"
              "0000004753746f7261676520706f6f6c206e6f7420666f756e643a206e6f2073746f726167652070"
              "6f6f6c2077697468206d61746368696e67206e616d6520276e6f73756368706f6f6c270000000002"
              "00000000000000010000001a53746f7261676520706f6f6c206e6f7420666f756e643a2025730000"
              "000000010000002f6e6f2073746f7261676520706f6f6c2077697468206d61746368696e67206e61"
              "6d6520276e6f73756368706f6f6c270000000000ffffffffffffffff00000000"),
    ],
    '18d-error-start-running-domain': [
        ("C", "000000242000808600000001000000170000000000000006000000000000000474657374"),
        ("S", "0000003820008086000000010000001700000001000000060000000000000004746573746695eb01"
              "f6a4830479aa97f2502e193f00000004"),
    ],
    '19-version': [
        ("C", "0000001c200080860000000100000003000000000000000600000000"),
        ("S", "000000242000808600000001000000030000000100000006000000000000000454455354"),
        ("C", "0000001c200080860000000100000004000000000000000700000000"),
        ("S", "000000242000808600000001000000040000000100000007000000000000000000000002"),
    ],
    '20-nodeinfo': [
        ("C", "0000001c200080860000000100000006000000000000000600000000"),
        ("S", "000000bc200080860000000100000006000000010000000600000000000000690000003600000038"
              "00000036000000000000000000000000000000000000000000000000000000000000000000000000"
              "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
              "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
              "00300000000000100000057800000002000000020000000200000002"),
    ],
}

# 57-rawprobe-error-cases.decoded.txt, whole
CAPTURE_57 = [
    ("C", "0000001c200080860000000100000042000000000000000000000000"),
    ("S", "000000242000808600000001000000420000000100000000000000000000000100000000"),
    ("C", "000000242000808600000001000000170000000000000001000000000000000474657374"),
    ("S", "000000b8200080860000000100000017000000010000000100000001000000010000000700000001"
          "0000002e696e7465726e616c206572726f723a2068797065727669736f7220636f6e6e656374696f"
          "6e206e6f74206f70656e000000000002000000000000000100000012696e7465726e616c20657272"
          "6f723a2025730000000000010000001e68797065727669736f7220636f6e6e656374696f6e206e6f"
          "74206f70656e000000000000ffffffffffffffff00000000"),
    ("C", "00000038200080860000000100000001000000000000000200000000000000010000000f74657374"
          "3a2f2f2f64656661756c740000000000"),
    ("S", "0000001c200080860000000100000001000000010000000200000000"),
    ("C", "0000001c20008086000000010000270f000000000000000300000000"),
    ("S", "0000008820008086000000010000270f000000010000000300000001000000270000000700000001"
          "00000017756e6b6e6f776e2070726f6365647572653a203939393900000000020000000000000001"
          "00000002257300000000000100000017756e6b6e6f776e2070726f6365647572653a203939393900"
          "00000000ffffffffffffffff00000000"),
    ("C", "0000001c200080860000000200000003000000000000000400000000"),
    ("S", "000000a8200080860000000200000003000000010000000400000001000000270000000700000001"
          "0000002743616e6e6f742066696e642070726f6772616d203533363930333831342076657273696f"
          "6e2032000000000200000000000000010000000225730000000000010000002743616e6e6f742066"
          "696e642070726f6772616d203533363930333831342076657273696f6e20320000000000ffffffff"
          "ffffffff00000000"),
    ("C", "0000001c123456780000000100000003000000000000000500000000"),
    ("S", "000000a8123456780000000100000003000000010000000500000001000000270000000700000001"
          "0000002743616e6e6f742066696e642070726f6772616d203330353431393839362076657273696f"
          "6e2031000000000200000000000000010000000225730000000000010000002743616e6e6f742066"
          "696e642070726f6772616d203330353431393839362076657273696f6e20310000000000ffffffff"
          "ffffffff00000000"),
    ("C", "0000001c200080860000000100000003000000000000000600000000"),
    ("S", "000000242000808600000001000000030000000100000006000000000000000454455354"),
    ("C", "0000001c6b6565700000000100000001000000020000000000000000"),
    ("S", "0000001c6b6565700000000100000002000000020000000000000000"),
    ("C", "0000001c200080860000000100000002000000000000000700000000"),
    ("S", "0000001c200080860000000100000002000000010000000700000000"),
]


if __name__ == "__main__":
    main()
