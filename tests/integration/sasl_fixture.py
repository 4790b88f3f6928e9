"""sasl_fixture.py: a private cyrus-sasl set-up for the SASL tests (test_remote_sasl*.py).

sasl_dir() writes $DIR/libvirt.conf (mech_list and sasldb_path) and a sasldb made as libvirt's
docs say, `saslpasswd2 -a libvirt USER` (stored as USER@<host name>); start_daemon() starts a
RemoteDaemon with SASL_CONF_PATH pointing there, so virtbusd's cyrus-sasl reads that file and
nothing of the host's; auth_env() gives a client environment whose LIBVIRT_AUTH_FILE answers
libvirt's credential questions (virsh reads it; python3-libvirt's openAuth callback is the
other way).
"""

import os
import subprocess
from pathlib import Path

SASLPASSWD2 = "/usr/sbin/saslpasswd2"


def sasl_dir(parent, mechs, users):
    """parent/sasl2 with libvirt.conf (mech_list: mechs) and a sasldb holding users {name: password}."""
    d = parent / "sasl2"
    d.mkdir()
    db = d / "passwd.db"
    (d / "libvirt.conf").write_text("mech_list: %s\nsasldb_path: %s\n" % (mechs, db))
    for user, pw in users.items():
        subprocess.run([SASLPASSWD2, "-a", "libvirt", "-f", str(db), "-p", "-c", user],
                       input=pw.encode(), check=True)
    return d


def start_daemon(daemon, sasl_conf_dir):
    """daemon.start() with SASL_CONF_PATH=sasl_conf_dir in its environment only."""
    saved = os.environ.get("SASL_CONF_PATH")
    os.environ["SASL_CONF_PATH"] = str(sasl_conf_dir)
    try:
        daemon.start()
    finally:
        if saved is None:
            os.environ.pop("SASL_CONF_PATH")
        else:
            os.environ["SASL_CONF_PATH"] = saved
    return daemon


def auth_env(daemon, user, password, hosts=("127.0.0.1", "localhost")):
    """daemon.client_env() with LIBVIRT_AUTH_FILE giving user and password for hosts (a unix
    socket's URI has no host: libvirt's client looks for "localhost" then)."""
    f = daemon.tmp / ("auth-%s-%s.conf" % (user, password))
    f.write_text("[credentials-t]\nauthname=%s\npassword=%s\n\n" % (user, password)
                 + "".join("[auth-libvirt-%s]\ncredentials=t\n\n" % h for h in hosts))
    env = daemon.client_env()
    env["LIBVIRT_AUTH_FILE"] = str(f)
    return env


def admin_client_info(test, daemon, transport):
    """virt-admin's client-info text for the one client of server libvirtd on transport ("unix",
    "tcp", "tls"), found through srv-clients-list; test's assertions fail otherwise."""
    uri = "libvirtd:///session?socket=%s" % (Path(daemon.sock).parent / "libvirt-admin-sock")

    def admin(*cmd):
        return subprocess.run(["/usr/bin/virt-admin", "-c", uri] + list(cmd), env=daemon.client_env(),
                              capture_output=True, text=True, timeout=30)

    a = admin("srv-clients-list", "libvirtd")
    test.assertEqual(a.returncode, 0, a.stderr)
    ids = [int(line.split()[0]) for line in a.stdout.splitlines()[2:] if line.split()[1:2] == [transport]]
    test.assertEqual(len(ids), 1, a.stdout)
    info = admin("client-info", "libvirtd", str(ids[0]))
    test.assertEqual(info.returncode, 0, info.stderr)
    return info.stdout
