#!/usr/bin/python3
"""test_remote_keepalive.py: the keepalive protocol (program 0x6b656570, PING 1 / PONG 2).

* Idle clients that keep the protocol stay connected: python3-libvirt with libvirt's default
  event loop, idle for more than 12 s, with libvirt's default client keepalive (5 s, 5) and with
  an impatient one (1 s, 1: the client gives up after about 2 s without an answer to its PING).
  Meanwhile raw clients check when the daemon pings: only a client that asked
  connect_supports_feature(10), after keepalive_interval (5 s by default) of silence
  (captures 58 and 59).
* A client that asked for keepalive and never answers is dropped after about
  keepalive_interval x (keepalive_count + 1) (keepalive_interval = 1, keepalive_count = 1 here),
  while a client on the same daemon that answers stays.

The slow part (12.5 s idle) runs once, with every idle check sharing it.
"""

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from remote_harness import (KEEPALIVE_PROGRAM, MESSAGE, PING, PONG, PROC_CONNECT_GET_TYPE,  # noqa: E402
                            RawClient, RemoteTestCase, Unpacker, daemon_serves, main, start_event_loop)

IDLE = 12.5


class IdleClientsStay(RemoteTestCase):
    def test_idle_connections_survive_and_pings_start_after_feature_10(self):
        libvirt = start_event_loop()
        default_ka = libvirt.open(self.daemon.uri("unix"))
        tcp_ka = libvirt.open(self.daemon.uri("tcp"))
        impatient = libvirt.open(self.daemon.uri("unix"))
        impatient.setKeepAlive(1, 1)
        for c in (default_ka, tcp_ka, impatient):
            self.assertEqual(c.getType(), "TEST")

        asked = RawClient(self.daemon.addr("unix"), timeout=IDLE + 5).handshake(keepalive=True)
        silent = RawClient(self.daemon.addr("tcp"), timeout=IDLE + 5).handshake(keepalive=False)
        results = {}

        def watch(name, client, answer):
            """Record every PING for IDLE seconds, answering them or not."""
            client.auto_pong = answer
            t0 = time.monotonic()
            pings = []
            while True:
                left = IDLE - (time.monotonic() - t0)
                if left <= 0:
                    break
                try:
                    p = client.recv(timeout=left)
                except TimeoutError:        # nothing more came
                    break
                except Exception as e:
                    results[name + "_error"] = repr(e)
                    break
                if p.prog == KEEPALIVE_PROGRAM and p.proc == PING:
                    pings.append(round(time.monotonic() - t0, 2))
                    self.assertEqual((p.vers, p.type, p.serial, p.status, p.payload), (1, MESSAGE, 0, 0, b""))
                    if answer:
                        client.send(PONG, prog=KEEPALIVE_PROGRAM, type=MESSAGE, serial=0)
                else:
                    results[name + "_other"] = p
            results[name] = pings

        threads = [threading.Thread(target=watch, args=("asked", asked, True)),
                   threading.Thread(target=watch, args=("silent", silent, True))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        # libvirt's clients: still connected and working after the idle time
        for name, c in (("default", default_ka), ("tcp", tcp_ka), ("impatient", impatient)):
            self.assertEqual(c.isAlive(), 1, name)
            self.assertEqual(c.lookupByName("test").ID(), 1, name)
            c.close()

        # the raw client that asked feature 10 is pinged about every keepalive_interval (5 s)
        # of silence; the one that did not ask is never pinged (captures 58, 59)
        self.assertNotIn("asked_error", results)
        self.assertNotIn("asked_other", results)
        self.assertEqual(results["silent"], [], "a client that did not ask for keepalive was pinged")
        pings = results["asked"]
        self.assertGreaterEqual(len(pings), 1, "no PING in %.1f s after feature 10" % IDLE)
        self.assertTrue(3.5 <= pings[0] <= 8.0, "first PING after %.2f s, expected about 5 s" % pings[0])
        # both raw clients still work
        for c in (asked, silent):
            self.assertEqual(Unpacker(c.call_ok(PROC_CONNECT_GET_TYPE).payload).string(), "TEST")
            c.close()


class UnansweredPingsDrop(RemoteTestCase):
    daemon_conf = "keepalive_interval = 1\nkeepalive_count = 1\n"

    def test_client_that_never_answers_is_dropped(self):
        mute = RawClient(self.daemon.addr("unix")).handshake(keepalive=True)
        mute.auto_pong = False
        polite = RawClient(self.daemon.addr("tcp")).handshake(keepalive=True)
        never_asked = RawClient(self.daemon.addr("unix")).handshake(keepalive=False)

        polite_result = {}

        def keep_answering():
            # answer every PING for 5 s, then make a call
            t_end = time.monotonic() + 5
            try:
                while time.monotonic() < t_end:
                    try:
                        polite.recv_reply(timeout=t_end - time.monotonic())
                    except TimeoutError:
                        break
                polite_result["type"] = Unpacker(polite.call_ok(PROC_CONNECT_GET_TYPE).payload).string()
                polite_result["pings"] = len(polite.pings)
            except Exception as e:
                polite_result["error"] = repr(e)

        t = threading.Thread(target=keep_answering)
        t.start()
        t0 = time.monotonic()
        closed_after = mute.wait_closed(timeout=10)
        t.join()

        # interval 1 s x (count 1 + 1) = about 2 s
        self.assertIsNotNone(closed_after, "a client that never answers PINGs was not dropped in 10 s")
        self.assertGreaterEqual(len(mute.pings), 1, "dropped without being pinged first")
        self.assertTrue(1.0 <= closed_after <= 6.0, "dropped after %.2f s, expected about 2 s" % closed_after)
        self.assertTrue(mute.pings[0] - t0 >= 0.5, "pinged %.2f s after the open, expected about 1 s"
                        % (mute.pings[0] - t0))

        self.assertNotIn("error", polite_result)
        self.assertEqual(polite_result.get("type"), "TEST")
        self.assertGreaterEqual(polite_result.get("pings", 0), 2)

        # the client that never asked for keepalive is neither pinged nor dropped
        self.assertEqual(Unpacker(never_asked.call_ok(PROC_CONNECT_GET_TYPE).payload).string(), "TEST")
        self.assertEqual(never_asked.pings, [])
        for c in (mute, polite, never_asked):
            c.close()
        self.assertEqual(daemon_serves(self.daemon.addr("unix")), "TEST")


if __name__ == "__main__":
    main()
