/* qemu-command-iothread.c: a guest's IOThreads on the command line (-object iothread,id=iothreadN, as libvirt names them) and a virtio disk's iothread= property. */
#include "qemu-command-priv.h"

int qemu_cmd_iothreads(QemuCmd *c) {
        const DomainDefPrivate *p = c->def->priv;
        for (size_t i = 0; i < p->n_iothreadids; i++) {
                QemuStr s = { 0 };
                qstr_printf(&s, "iothread,id=iothread%u", p->iothreadids[i].id);
                qemu_cmd_opt(c, "-object", &s);
        }
        return 0;
}

int qemu_cmd_disk_iothread(QemuCmd *c, const DomainDisk *d, const char *bus, QemuStr *s) {
        if (!d->driver_iothread.set)
                return 0;
        unsigned id = (unsigned) d->driver_iothread.v;
        if (!qemu_str_eq(bus, "virtio"))
                return qemu_cmd_unsupported(c, "IOThreads not available for bus %s target %s", bus,
                                            d->target_dev ? d->target_dev : "");
        if (!domain_iothread_find(c->def, id))
                return qemu_cmd_unsupported(c, "Disk iothread '%u' not defined in iothreadid", id);
        qstr_printf(s, ",iothread=iothread%u", id);
        return 0;
}
