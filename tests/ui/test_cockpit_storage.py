#!/usr/bin/python3
"""test_cockpit_storage.py: cockpit-machines' Storage pools page against virtbusd.

    /usr/bin/python3 tests/ui/test_cockpit_storage.py -v      (root)

The same world as test_cockpit_machines.py (ui_harness: virtbusd --system on a private system
bus, cockpit-ws with a root session, headless Chromium). A dir pool with two volumes is defined
on qemu:///system with virsh; the page must list the pool, show its volumes, create a volume
through its "Create volume" dialog (seen on disk) and delete it again through the volume list's
selection, with no error alert at any point. Every wait polls."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ui_harness as uh  # noqa: E402

uh.enter_namespace(needs=(uh.COCKPIT_WS, "cockpit-bridge", "/usr/share/cockpit/machines",
                          "/usr/bin/chromium", uh.CHROMEDRIVER))

import testmain  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

POOL = "uipool"
ROW = "pool-%s-system" % POOL           # cockpit-machines' id prefix for the pool's row
WAIT = 60


class CockpitStorageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = uh.UiWorld().start()
        try:
            cls.dir = cls.w.dir_pool(POOL, {"alpha.img": "1M", "beta.qcow2": "1M"})
            cls.b = uh.cockpit_machines_page(cls.w, WAIT)
        except BaseException:
            cls.w.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.b.quit()
        finally:
            cls.w.stop()

    def shown(self, css):
        return [e for e in self.b.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]

    def until(self, cond, what, timeout=WAIT):
        """Poll cond, failing at once on an error alert and with the page and log on a timeout."""
        def step():
            alerts = self.shown(".pf-c-alert.pf-m-danger, .pf-c-alert.pf-m-warning")
            if alerts:
                self.fail("the page shows an error: %s\n--- virtbusd log tail:\n%s"
                          % (alerts[0].text, self.w.log()[-3000:]))
            for btn in self.shown(".virtualization-disabled-empty-state button"):
                if btn.text.strip() == "Ignore":        # TCG host: the hardware check's page
                    btn.click()
            try:
                return cond()
            except StaleElementReferenceException:
                return None             # React drew the element again: look it up anew
        try:
            return uh.wait_for(step, what, timeout, interval=0.2)
        except AssertionError as e:
            body = self.b.find_element(By.TAG_NAME, "body").text
            self.fail("%s\n--- page text:\n%s\n--- virtbusd log tail:\n%s" % (e, body[-3000:], self.w.log()[-3000:]))

    def element(self, css, what=None):
        return self.until(lambda: (self.shown(css) or [None])[0], what or css)

    def click_button(self, text):
        """A button of the pool's expanded details (the table row after the pool's), by its text."""
        def find():
            row = self.b.find_element(By.XPATH, "//*[@id='%s-name']/ancestor::tr[last()]" % ROW)
            found = [b for b in row.find_elements(By.XPATH, "following-sibling::tr[1]//button")
                     if b.is_displayed() and b.text.strip() == text]
            if found:
                found[0].click()
            return bool(found)
        self.until(find, text)

    def click_in(self, xpath, what):
        """Click an element found anew at each try (the list is redrawn as volumes change)."""
        def find():
            els = [e for e in self.b.find_elements(By.XPATH, xpath) if e.is_displayed()]
            if els:
                els[0].click()
            return bool(els)
        self.until(find, what)

    def volume_names(self):
        return sorted(e.text.strip() for e in self.shown("[id^='%s-volume-'][id$='-name']" % ROW))

    def test_pool_volumes_create_delete(self):
        self.b.execute_script("window.location.hash = arguments[0]", "#/storages")
        self.element("#%s-name" % ROW, "the pool in the list")
        self.assertEqual(self.element("#%s-name" % ROW).text.strip(), POOL)
        # the row opens on its details; the volumes tab lists what virsh created
        self.click_in("//*[@id='%s-name']/ancestor::tr[1]/td[contains(@class, 'pf-c-table__toggle')]//button" % ROW,
                      "the pool row's expand toggle")
        self.click_button("Storage volumes")
        self.until(lambda: self.volume_names() == ["alpha.img", "beta.qcow2"], "the two volumes")

        # create one through the dialog
        self.click_button("Create volume")
        self.element("#create-volume-dialog-modal", "the Create storage volume dialog")
        name = self.element("#create-volume-dialog-name")
        name.send_keys("gamma.qcow2")
        size = self.element("#create-volume-dialog-size")
        size.send_keys(Keys.CONTROL, "a")
        size.send_keys("2")
        self.b.find_element(By.XPATH, "//div[@id='create-volume-dialog-modal']//button[normalize-space()='Create']").click()
        self.until(lambda: not self.shown("#create-volume-dialog-modal"), "the dialog to close")
        self.until(lambda: "gamma.qcow2" in self.volume_names(), "the new volume in the list")
        self.assertTrue((self.dir / "gamma.qcow2").exists())
        info = self.w.virsh("vol-dumpxml", "--pool", POOL, "gamma.qcow2", check=True).stdout
        self.assertIn("<format type='qcow2'/>", info)

        # delete it: select its row, then the Delete button the selection shows
        # ancestor::tr[1]: the volume's own row, not the pool's details row around the list
        self.click_in("//*[@id='%s-volume-gamma.qcow2-name']/ancestor::tr[1]//input[@type='checkbox']" % ROW,
                      "the new volume's checkbox")
        self.element("#storage-volumes-delete", "the Delete 1 volume button").click()
        self.until(lambda: "gamma.qcow2" not in self.volume_names(), "the volume to leave the list")
        self.until(lambda: not (self.dir / "gamma.qcow2").exists(), "the file to go")
        self.assertEqual(self.volume_names(), ["alpha.img", "beta.qcow2"])
        p = self.w.virsh("vol-info", "--pool", POOL, "gamma.qcow2")
        self.assertNotEqual(p.returncode, 0, "the volume is still defined")


if __name__ == "__main__":
    testmain.main()
