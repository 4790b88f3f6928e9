"""vmm_atspi.py: Debian's virt-manager under Xvfb, driven through its accessibility tree.

A private session dbus-daemon activates the AT-SPI bus, GTK's bridge publishes virt-manager's
widgets there and python3-pyatspi reads and acts on them by role and name, as a screen reader
does: push and radio buttons by their "click" action, entries through EditableText, list cells
by "activate", spin buttons through Value. Nothing is clicked by screen coordinates.

VmmDriver is a mixin for a unittest.TestCase whose class has `w` (a ui_harness.UiWorld)."""

import os
import subprocess

import ui_harness as uh

NEEDS = ("virt-manager", "Xvfb", "xwd", "dbus-daemon", "/usr/libexec/at-spi-bus-launcher",
         "/usr/lib/python3/dist-packages/pyatspi")
WAIT = 90


class VmmDriver:
    @classmethod
    def start_with_image(cls, image):
        """The world with libvirt's "default" network (virt-manager puts NICs on it), the tiny
        guest as a bootable ISO at `image` (guest_iso.py), and virt-manager on qemu:///system."""
        import guest
        import guest_iso
        cls.w = uh.UiWorld()
        cls.w.create_default_network = 1
        cls.w.start()
        try:
            uh.wait_for(lambda: "default" in cls.w.virsh("net-list", "--name").stdout,
                        "the default network to be autostarted", 60, 0.5)
            guest_iso.build(guest.build(), image)
            cls.start_virt_manager()
        except BaseException:
            cls.w.stop()
            raise
        return image

    @classmethod
    def start_virt_manager(cls, *args):
        """Xvfb, a session bus with the accessibility bus, and `virt-manager --connect
        qemu:///system ARGS`; this process then reads the same accessibility bus."""
        cls.display = cls.w.start_xvfb()
        bus = cls.w.start_session_bus()
        cls.vmm_log = cls.w.tmp / "virt-manager.log"
        with open(cls.vmm_log, "w") as log:
            cls.w.procs["virt-manager"] = subprocess.Popen(
                ["virt-manager", "--no-fork", "--debug", "--connect", "qemu:///system"] + list(args),
                stdout=log, stderr=subprocess.STDOUT, env=cls.w.virt_manager_env(cls.display, bus))
        os.environ["DISPLAY"] = cls.display
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus
        import pyatspi
        cls.atspi = pyatspi

    def logs(self, vmm_chars=3000, daemon_chars=2000):
        return "\n--- virt-manager log:\n%s\n--- virtbusd log tail:\n%s" % (
            self.vmm_log.read_text()[-vmm_chars:], self.w.log()[-daemon_chars:])

    def app(self):
        if self.w.procs["virt-manager"].poll() is not None:
            raise AssertionError("virt-manager exited; its log:\n" + self.vmm_log.read_text()[-3000:])
        for a in self.atspi.Registry.getDesktop(0):
            if a is not None and a.name == "virt-manager":
                return a
        return None

    def find_all(self, role, name=None, under=None):
        """The showing accessibles of a role (and name) under `under` (default: virt-manager)."""
        found, stack = [], [under if under is not None else self.app()]
        while stack:
            a = stack.pop()
            if a is None:
                continue
            try:
                if a.getRoleName() == role and (name is None or a.name == name) and \
                        a.getState().contains(self.atspi.STATE_SHOWING):
                    found.append(a)
                stack.extend(a)
            except Exception:          # gone meanwhile (GTK redraws the page)
                pass
        return found

    def element(self, role, name=None, what=None, under=None):
        try:
            return uh.wait_for(lambda: (self.find_all(role, name, under) or [None])[0],
                               what or "%s %r in virt-manager" % (role, name), WAIT, 0.5)
        except AssertionError as e:
            self.fail(str(e) + self.logs())

    def act(self, role, name, action="click", under=None):
        acc = self.element(role, name, under=under)
        a = acc.queryAction()
        names = [a.getName(i) for i in range(a.nActions)]
        a.doAction(names.index(action))

    def type_text(self, name, text, under=None):
        self.element("text", name, under=under).queryEditableText().setTextContents(text)

    def texts(self, role, under=None):
        return [a.name for a in self.find_all(role, under=under)]

    def no_error_dialog(self):
        for a in self.find_all("alert") + self.find_all("dialog"):
            self.fail("virt-manager shows %r: %s" % (a.name, [c.name for c in self.find_all("label", under=a)]))

    def wait_until(self, cond, what, timeout=WAIT):
        try:
            return uh.wait_for(cond, what, timeout, 0.5)
        except AssertionError as e:
            self.fail(str(e) + self.logs())

    def dump(self, under=None, depth=0, out=None):
        """The showing tree as text (role 'name'), for a failure message."""
        out = [] if out is None else out
        a = under if under is not None else self.app()
        try:
            if a.getState().contains(self.atspi.STATE_SHOWING):
                out.append("%s%s %r" % ("  " * depth, a.getRoleName(), a.name))
            for c in a:
                if c is not None:
                    self.dump(c, depth + 1, out)
        except Exception:
            pass
        return "\n".join(out)

    def select_row(self, table, cell, under=None):
        """Selects the row of `table` (a table's name) that has the cell `cell`, through the
        table's Selection interface (a mouse click on the row does the same)."""
        tbl = self.element("table", table, under=under)
        found = self.wait_until(lambda: self.find_all("table cell", cell, tbl), "%r in %s" % (cell, table))
        row = found[0]
        while row.parent is not None and row.parent != tbl:
            row = row.parent
        tbl.querySelection().selectChild(row.getIndexInParent())

    def cells(self, table, under=None):
        return [c.name for c in self.find_all("table cell", None, self.element("table", table, under=under)) if c.name]

    def answer_dialog(self, text, button):
        """Waits for a message dialog that says `text`, clicks its `button`; returns its labels."""
        def shown():
            for d in self.find_all("alert") + self.find_all("dialog"):
                labels = self.texts("label", d)
                if any(text in t for t in labels):
                    return d, labels
            return None
        d, labels = self.wait_until(shown, "virt-manager's dialog %r" % text)
        self.act("push button", button, under=d)
        self.wait_until(lambda: not self.find_all("label", None, d) or not d.getState().contains(self.atspi.STATE_SHOWING),
                        "the dialog to close")
        return labels

