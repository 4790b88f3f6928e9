/* qemu-pci-define.c: the PCI addresses of a domain's devices written into its definition when it is defined, as libvirt does, so a device added later never moves the others. */
#include "qemu-command-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "qemu-command.h"

/*
 * The places are those the command line would give (qemu_cmd_plan_pci(), libvirt's order), so
 * a definition gets the same guest hardware before and after: the start finds every address
 * written and keeps it. What is written, in libvirt's form:
 * - <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/> (with
 *   multifunction='on' on function 0 of a slot holding more) on every PCI device without one;
 * - a pcie-root-port's <model name='pcie-root-port'/> and <target chassis='N' port='0xNN'/>;
 * - the controllers libvirt adds: PCI controller 0 (pci-root / pcie-root), q35's built-in SATA
 *   controller 0 at 00:1f.2, and those the devices need (USB, SCSI, virtio-serial 0) with the
 *   places the command line gave them.
 */

static bool is_q35(const DomainDef *def, const char *default_machine) {
        const char *m = def->priv->os.machine ? def->priv->os.machine : default_machine ? default_machine : "pc";
        return strcmp(m, "q35") == 0 || strncmp(m, "pc-q35-", 7) == 0;
}

static int set_str(char **field, const char *fmt, unsigned v) {
        char buf[32];
        snprintf(buf, sizeof buf, fmt, v);
        free(*field);
        *field = strdup(buf);
        return *field ? 0 : -1;
}

static void address_format(char *buf, size_t len, const QemuPciAddr *p) {
        snprintf(buf, len, "<address type='pci' domain='0x0000' bus='0x%02x' slot='0x%02x' function='0x%x'%s/>", p->bus,
                 p->slot, p->function, p->multifunction ? " multifunction='on'" : "");
}

/* The plan's place into an <address> the device does not have yet. */
static int write_address(DomainAddress *a, const QemuPciAddr *p) {
        if (!p || !p->set || a->type)
                return 0;
        if (set_str(&a->type, "pci", 0) < 0 || set_str(&a->domain, "0x0000", 0) < 0 ||
            set_str(&a->bus, "0x%02x", p->bus) < 0 || set_str(&a->slot, "0x%02x", p->slot) < 0 ||
            set_str(&a->function, "0x%x", p->function) < 0 ||
            (p->multifunction && set_str(&a->multifunction, "on", 0) < 0))
                return -1;
        return 0;
}

/* A pcie-root-port's model name, chassis (its index) and port (slot·8 + function), as the
 * command line has them. */
static int write_root_port(DomainController *ctl, const QemuPciAddr *p) {
        if (qemu_str_eq(ctl->type, "pci") && qemu_str_eq(ctl->model, "pcie-to-pci-bridge") && p->set && !ctl->model_name)
                return set_str(&ctl->model_name, "pcie-pci-bridge", 0);
        if (!qemu_str_eq(ctl->type, "pci") || !qemu_str_eq(ctl->model, "pcie-root-port") || !p->set)
                return 0;
        if ((!ctl->model_name && set_str(&ctl->model_name, "pcie-root-port", 0) < 0) ||
            (!ctl->target_chassis && set_str(&ctl->target_chassis, "%u", (unsigned) ctl->index.v) < 0) ||
            (!ctl->target_port && set_str(&ctl->target_port, "0x%x", (p->slot << 3) | p->function) < 0))
                return -1;
        return 0;
}

static bool has_controller(const DomainDevices *d, const char *type, long long index) {
        for (size_t i = 0; i < d->n_controllers; i++)
                if (qemu_str_eq(d->controllers[i].type, type) &&
                    (d->controllers[i].index.set ? d->controllers[i].index.v : 0) == index)
                        return true;
        return false;
}

static int add_xml(DomainDevices *d, const char *xml) {
        VbError e = { 0 };
        DomainDevices *dev = domain_device_parse(xml, strlen(xml), NULL, &e);
        vb_error_clear(&e);
        int r = dev ? domain_devices_move(d, dev, "controller", 0) : -1;
        domain_device_free(dev);
        return r < 0 ? -1 : 0;
}

static bool has_any_controller(const DomainDevices *d, const char *type) {
        for (size_t i = 0; i < d->n_controllers; i++)
                if (qemu_str_eq(d->controllers[i].type, type))
                        return true;
        return false;
}

/* Appends <controller type='TYPE' index='0'[ model='MODEL']> with the place p (none: NULL). */
static int add_controller(DomainDevices *d, const char *type, const char *model, const QemuPciAddr *p) {
        char addr[160] = "", xml[320];
        if (p && p->set)
                address_format(addr, sizeof addr, p);
        snprintf(xml, sizeof xml, "<controller type='%s' index='0'%s%s%s>%s</controller>", type,
                 model ? " model='" : "", model ? model : "", model ? "'" : "", addr);
        return add_xml(d, xml);
}

static int write_plan(DomainDevices *d, const QemuPciPlan *p, bool q35) {
        /* The device arrays first: the plan is indexed by them, before controllers are added. */
        int r = 0;
        for (size_t i = 0; i < d->n_controllers; i++)
                r |= write_address(&d->controllers[i].address, &p->ctrl[i]) | write_root_port(&d->controllers[i], &p->ctrl[i]);
        for (size_t i = 0; i < d->n_disks; i++)
                r |= write_address(&d->disks[i].address, &p->disk[i]);
        for (size_t i = 0; i < d->n_interfaces; i++)
                r |= write_address(&d->interfaces[i].address, &p->nic[i]);
        for (size_t i = 0; i < d->n_sounds; i++)
                r |= write_address(&d->sounds[i].address, &p->sound[i]);
        for (size_t i = 0; i < d->n_videos; i++)
                r |= write_address(&d->videos[i].address, &p->video[i]);
        for (size_t i = 0; i < d->n_watchdogs; i++)
                r |= write_address(&d->watchdogs[i].address, &p->watchdog[i]);
        for (size_t i = 0; i < d->n_rngs; i++)
                r |= write_address(&d->rngs[i].address, &p->rng[i]);
        for (size_t i = 0; i < d->n_inputs; i++)
                r |= write_address(&d->inputs[i].address, &p->input[i]);
        /* No <memballoon>: the command line makes a virtio one, and libvirt writes it. */
        if (p->balloon.set && !d->memballoon.model)
                r |= set_str(&d->memballoon.model, "virtio", 0);
        r |= write_address(&d->memballoon.address, &p->balloon);
        if (r)
                return -1;
        /* Then the controllers libvirt adds, in the order the command line makes them. */
        QemuPciAddr sata = { .set = true, .bus = 0, .slot = 0x1f, .function = 2 };
        if ((p->auto_usb.set && add_controller(d, "usb", "qemu-xhci", &p->auto_usb) < 0) ||
            (!has_controller(d, "pci", 0) && add_controller(d, "pci", q35 ? "pcie-root" : "pci-root", NULL) < 0) ||
            (p->auto_scsi.set && add_controller(d, "scsi", "virtio-scsi", &p->auto_scsi) < 0) ||
            (q35 && !has_controller(d, "sata", 0) && add_controller(d, "sata", NULL, &sata) < 0) ||
            (p->auto_vserial.set && add_controller(d, "virtio-serial", NULL, &p->auto_vserial) < 0))
                return -1;
        return 0;
}

/* The PCI controllers libvirt adds on q35 for what has no place: a pcie-to-pci-bridge (and the
 * root port it sits in) for conventional PCI devices, a root port for each PCIe device beyond
 * the free ones, indexed after the highest in the order the devices needed them (libvirt's
 * numbering); their places come with the next plan. */
static int add_pci_controllers(DomainDevices *d, const QemuPciPlan *p) {
        long long next = 1;
        for (size_t i = 0; i < d->n_controllers; i++)
                if (qemu_str_eq(d->controllers[i].type, "pci") && d->controllers[i].index.v >= next)
                        next = d->controllers[i].index.v + 1;
        unsigned ports = p->need_root_ports + (p->need_bridge ? 1 : 0);
        if (next + ports + (p->need_bridge ? 1 : 0) > QEMU_PCI_MAX_BUSES)
                return 0;                  /* the plan then names what has no place */
        for (unsigned n = 0; n < ports; n++) {
                char xml[96];
                snprintf(xml, sizeof xml, "<controller type='pci' index='%lld' model='pcie-root-port'/>", next++);
                if (add_xml(d, xml) < 0)
                        return -1;
                if (p->need_bridge && n == p->ports_before_bridge) {
                        snprintf(xml, sizeof xml, "<controller type='pci' index='%lld' model='pcie-to-pci-bridge'/>", next++);
                        if (add_xml(d, xml) < 0)
                                return -1;
                }
        }
        return 0;
}

int qemu_define_pci_addresses(DomainDef *def, const char *default_machine, bool extend, VbError *err) {
        DomainDevices *d = &def->priv->devices;
        VbError plan_err = { 0 };
        QemuCmd c = { .def = def, .devs = d, .err = &plan_err, .q35 = is_q35(def, default_machine),
                      .free_video_slot = extend };
        /* libvirt gives a new x86 guest a USB controller even when no device needs one: PIIX3's
         * UHCI on i440fx, qemu-xhci on q35. */
        if (extend && !has_any_controller(d, "usb") &&
            add_controller(d, "usb", c.q35 ? "qemu-xhci" : "piix3-uhci", NULL) < 0)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        int r = qemu_cmd_plan_pci(&c);
        if (r == 0 && extend && c.q35 && (c.pci->need_root_ports || c.pci->need_bridge)) {
                r = add_pci_controllers(d, c.pci);
                qemu_pci_plan_free(c.pci);
                c.pci = NULL;
                if (r < 0)
                        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
                r = qemu_cmd_plan_pci(&c);
        }
        if (r < 0) {
                /* What the plan refuses (a controller model virtbus cannot make, …) the start
                 * refuses too, naming it: the definition is kept as written, as before. */
                vb_error_clear(&plan_err);
                qemu_pci_plan_free(c.pci);
                return 0;
        }
        r = write_plan(d, c.pci, c.q35);
        qemu_pci_plan_free(c.pci);
        return r < 0 ? vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL) : 0;
}
