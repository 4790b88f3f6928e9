#!/usr/bin/python3
"""test_cockpit_machines.py: Debian's cockpit-machines, in a headless Chromium, against virtbusd.

    /usr/bin/python3 tests/ui/test_cockpit_machines.py -v      (root)

cockpit-ws runs without systemd and without a login (`--local-session=cockpit-bridge`); the
bridge, as root, reaches `virtbusd --system` on the private system bus of ui_harness (no
libvirt-dbus anywhere) and spawns `virsh -c qemu:///system` for the serial console. The test
guest (tests/guest, TCG) is defined on qemu:///system; the page must list it, open its details
(overview, disks, network interfaces, console) with no error shown, start, pause, resume, force
it off and delete it, and the serial console must show the guest answering what is typed.
Every wait polls; nothing asserts after a fixed sleep."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ui_harness as uh  # noqa: E402

uh.enter_namespace(needs=(uh.COCKPIT_WS, "cockpit-bridge", "/usr/share/cockpit/machines",
                          "/usr/bin/chromium", uh.CHROMEDRIVER))

import testmain  # noqa: E402
from selenium.common.exceptions import (ElementClickInterceptedException,  # noqa: E402
                                        ElementNotInteractableException, StaleElementReferenceException)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

NAME = "uivm"
ROW = "vm-%s-system" % NAME
WAIT = 60         # a loaded 2-core machine: the page, the bridge and TCG all compete


class CockpitMachinesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = uh.UiWorld().start()
        try:
            cls.w.define_guest(NAME)
            cls.url = cls.w.start_cockpit()
            cls.b = uh.chromium(cls.w.tmp)
            cls.b.set_page_load_timeout(WAIT)
            # One page load for the whole test: with --local-session, cockpit-ws's session ends
            # with the page's websocket, so every later move changes the location hash only.
            cls.b.get(cls.url + "/cockpit/@localhost/machines/index.html")
        except BaseException:
            cls.w.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.b.quit()
        except Exception:
            pass
        cls.w.virsh("destroy", NAME)
        cls.w.stop()

    # ---- helpers ----

    def open(self, fragment="#/"):
        self.b.execute_script("window.location.hash = arguments[0]", fragment)
        self.poll(self.loaded, "the machines page")

    def loaded(self):
        """Past "Loading resources"; the host check's "Hardware virtualization is disabled" page
        (virt-host-validate: this host runs guests under TCG) is dismissed with its button."""
        for btn in self.b.find_elements(By.CSS_SELECTOR, ".virtualization-disabled-empty-state button"):
            if btn.text.strip() == "Ignore":
                btn.click()
        return self.find("#virtual-machines-listing, .vm-top-panel") is not None

    def find(self, css):
        """The first shown element css selects, or None (also when React redrew it meanwhile:
        a poll looks it up again)."""
        try:
            els = self.b.find_elements(By.CSS_SELECTOR, css)
            return els[0] if els and els[0].is_displayed() else None
        except StaleElementReferenceException:
            return None

    def wait(self, css, what=None, timeout=WAIT):
        return self.poll(lambda: self.find(css), what or css, timeout)

    def poll(self, cond, what, timeout=WAIT):
        """cond() until true; an element React redrew or covered meanwhile counts as not yet."""
        def once():
            try:
                return self.no_error() and cond()
            except (StaleElementReferenceException, ElementClickInterceptedException,
                    ElementNotInteractableException):
                return None
        try:
            return uh.wait_for(once, what, timeout, interval=0.2)
        except AssertionError:
            self.fail("%s\n--- page text:\n%s\n--- browser console:\n%s\n--- virtbusd log tail:\n%s"
                      % (what, self.text()[-3000:], self.console_log(), self.w.log()[-3000:]))

    def text(self):
        try:
            return self.b.find_element(By.TAG_NAME, "body").text
        except Exception:
            return ""

    def console_log(self):
        try:
            return "\n".join(e["message"] for e in self.b.get_log("browser"))[-4000:]
        except Exception:
            return ""

    def no_error(self):
        """No error alert or error toast on the page (cockpit-machines shows both as alerts)."""
        for el in self.b.find_elements(By.CSS_SELECTOR, ".pf-c-alert.pf-m-danger, .pf-c-alert.pf-m-warning"):
            if el.is_displayed():
                raise AssertionError("the page shows an error: %s\n--- virtbusd log tail:\n%s"
                                     % (el.text, self.w.log()[-3000:]))
        return True

    def state(self):
        el = self.find("#%s-state" % ROW)
        return el.text.strip() if el else None

    def wait_state(self, want):
        self.poll(lambda: self.state() == want, "state %r (now %r)" % (want, self.state()))

    def click(self, css):
        self.click_when(lambda: self.find(css), css)

    def click_when(self, find, what):
        """Clicks what find() returns once it is there and takes the click (a stale or covered
        element is looked up again)."""
        def go():
            el = find()
            if el is None:
                return None
            el.click()
            return el
        return self.poll(go, "%s, clicked" % what)

    def action(self, name):
        """A VM action: its button when shown, else the entry of the VM's kebab menu."""
        if not self.find("#%s-%s" % (ROW, name)):
            self.click("#%s-action-kebab" % ROW)
        self.click("#%s-%s" % (ROW, name))

    def virsh_state(self):
        return self.w.virsh("domstate", NAME, check=True).stdout.strip()

    # ---- the flow, in order ----

    def test_1_list_shows_the_vm(self):
        self.open()
        self.wait("#%s-name" % ROW, "the VM in the list")
        self.assertEqual(self.find("#%s-name" % ROW).text.strip(), NAME)
        self.wait_state("Shut off")

    def test_2_start(self):
        self.open()
        self.click("#%s-run" % ROW)
        self.wait_state("Running")
        self.assertEqual(self.virsh_state(), "running")

    def test_3_details_pages(self):
        self.open("#vm?name=%s&connection=system" % NAME)
        for card in ("overview", "disks", "networks", "consoles"):
            self.wait("#vm-%s-%s" % (NAME, card), "the %s card" % card)
        self.poll(lambda: "%s.img" % NAME in self.find("#vm-%s-disks" % NAME).text, "the disk's file in the disks card")
        self.poll(lambda: "52:54:00:55:00:01" in self.find("#vm-%s-networks" % NAME).text,
                  "the NIC's MAC in the network interfaces card")
        self.assertIn("256.0 MiB", self.find("#vm-%s-overview" % NAME).text)

    def test_4_serial_console(self):
        self.open("#vm?name=%s&connection=system" % NAME)
        # xterm.js takes keys through a hidden textarea: present, never "displayed"
        self.poll(lambda: self.b.find_elements(By.CSS_SELECTOR, "#vm-%s-consoles .xterm-helper-textarea" % NAME),
                  "the serial console's terminal")
        area = self.b.find_element(By.CSS_SELECTOR, "#vm-%s-consoles .xterm-helper-textarea" % NAME)
        self.poll(lambda: "Connected to domain '%s'" % NAME in self.find("#vm-%s-consoles" % NAME).text,
                  "virsh console's greeting in the terminal")
        want = "unknown command 'cockpit'"
        screen = lambda: self.find("#vm-%s-consoles" % NAME).text

        def answered():
            # The guest may still be booting: type again until its shell loop answers.
            if want in screen():
                return True
            area.send_keys("cockpit" + Keys.ENTER)
            return _soft(lambda: uh.wait_for(lambda: want in screen(), "", 3, 0.2))
        self.poll(answered, "the guest's answer on the serial console", timeout=120)

    def test_5_pause_resume(self):
        self.open()
        self.wait_state("Running")
        self.action("pause")
        self.wait_state("Paused")
        self.assertEqual(self.virsh_state(), "paused")
        self.action("resume")
        self.wait_state("Running")
        self.assertEqual(self.virsh_state(), "running")

    def test_6_force_off(self):
        self.open()
        self.wait_state("Running")
        self.action("forceOff")
        self.wait_state("Shut off")
        self.assertEqual(self.virsh_state(), "shut off")

    def test_7_delete(self):
        self.open()
        self.wait_state("Shut off")
        self.action("delete")
        dialog = self.wait("#%s-delete-modal-dialog" % ROW.replace("-system", ""), "the delete dialog")
        dialog.find_element(By.CSS_SELECTOR, "button.pf-m-danger").click()
        self.poll(lambda: not self.b.find_elements(By.CSS_SELECTOR, "#%s-name" % ROW), "the VM to leave the list")
        p = self.w.virsh("dominfo", NAME)
        self.assertNotEqual(p.returncode, 0, "the VM is still defined")


def _soft(f):
    try:
        return f()
    except AssertionError:
        return False


if __name__ == "__main__":
    testmain.main()
