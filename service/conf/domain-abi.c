/* domain-abi.c: libvirt's ABI stability check between two definitions of one guest: identity, memory, vCPUs, machine and device counts, with libvirt's texts. */
#include "domain-abi.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "domain-model.h"
#include "uuid.h"

static const char *or_none(const char *s) {
        return s ? s : "(none)";
}

static bool str_differs(const char *a, const char *b) {
        return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static int refuse(VbError *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(VbError *err, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vb_error_setv(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, fmt, ap);
        va_end(ap);
        return -1;
}

static int check_disks(const DomainDevices *s, const DomainDevices *d, VbError *err) {
        for (size_t i = 0; i < s->n_disks; i++) {
                const DomainDisk *a = &s->disks[i], *b = &d->disks[i];
                if (str_differs(a->device, b->device))
                        return refuse(err, "Target disk device %s does not match source %s", or_none(b->device),
                                      or_none(a->device));
                if (str_differs(a->target_bus, b->target_bus))
                        return refuse(err, "Target disk bus %s does not match source %s", or_none(b->target_bus),
                                      or_none(a->target_bus));
                if (str_differs(a->target_dev, b->target_dev))
                        return refuse(err, "Target disk %s does not match source %s", or_none(b->target_dev),
                                      or_none(a->target_dev));
        }
        return 0;
}

static int check_nets(const DomainDevices *s, const DomainDevices *d, VbError *err) {
        for (size_t i = 0; i < s->n_interfaces; i++) {
                const DomainInterface *a = &s->interfaces[i], *b = &d->interfaces[i];
                if (memcmp(a->mac, b->mac, sizeof a->mac) != 0) {
                        char ma[18], mb[18];
                        snprintf(ma, sizeof ma, "%02x:%02x:%02x:%02x:%02x:%02x", a->mac[0], a->mac[1], a->mac[2],
                                 a->mac[3], a->mac[4], a->mac[5]);
                        snprintf(mb, sizeof mb, "%02x:%02x:%02x:%02x:%02x:%02x", b->mac[0], b->mac[1], b->mac[2],
                                 b->mac[3], b->mac[4], b->mac[5]);
                        return refuse(err, "Target network card mac %s does not match source %s", mb, ma);
                }
                if (str_differs(a->model_type, b->model_type))
                        return refuse(err, "Target network card model %s does not match source %s",
                                      or_none(b->model_type), or_none(a->model_type));
        }
        return 0;
}

/* libvirt's count checks, in its order. */
static int check_counts(const DomainDevices *s, const DomainDevices *d, VbError *err) {
        static const struct {
                size_t off;
                const char *what;
        } counts[] = {
                { offsetof(DomainDevices, n_disks), "disk" },
                { offsetof(DomainDevices, n_controllers), "controller" },
                { offsetof(DomainDevices, n_interfaces), "net card" },
                { offsetof(DomainDevices, n_inputs), "input device" },
                { offsetof(DomainDevices, n_sounds), "sound card" },
                { offsetof(DomainDevices, n_videos), "video card" },
                { offsetof(DomainDevices, n_serials), "serial port" },
                { offsetof(DomainDevices, n_channels), "channel" },
                { offsetof(DomainDevices, n_consoles), "console" },
                { offsetof(DomainDevices, n_hubs), "hub device" },
                { offsetof(DomainDevices, n_redirdevs), "redirected devices" },
                { offsetof(DomainDevices, n_rngs), "RNG device" },
                { offsetof(DomainDevices, n_panics), "panic device" },
                { offsetof(DomainDevices, n_tpms), "TPM device" },
        };
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
                size_t a = *(const size_t *) ((const char *) s + counts[i].off);
                size_t b = *(const size_t *) ((const char *) d + counts[i].off);
                if (a != b)
                        return refuse(err, "Target domain %s count %zu does not match source %zu", counts[i].what, b, a);
        }
        return 0;
}

int domain_def_check_abi(const DomainDef *src, const DomainDef *dst, VbError *err) {
        if (str_differs(src->virt_type, dst->virt_type))
                return refuse(err, "Target domain virt type %s does not match source %s", or_none(dst->virt_type),
                              or_none(src->virt_type));
        if (memcmp(src->uuid, dst->uuid, sizeof src->uuid) != 0) {
                char a[UUID_STRING_LEN], b[UUID_STRING_LEN];
                uuid_format(src->uuid, a);
                uuid_format(dst->uuid, b);
                return refuse(err, "Target domain uuid %s does not match source %s", b, a);
        }
        /* Not hardware, but a replacement XML must not rename the domain behind the core's back. */
        if (str_differs(src->name, dst->name))
                return refuse(err, "Target domain name '%s' does not match source '%s'", or_none(dst->name),
                              or_none(src->name));
        if (src->memory_kib != dst->memory_kib)
                return refuse(err, "Target domain max memory %llu does not match source %llu",
                              (unsigned long long) dst->memory_kib, (unsigned long long) src->memory_kib);
        if (src->vcpus != dst->vcpus)
                return refuse(err, "Target domain vCPU max %u does not match source %u", dst->vcpus, src->vcpus);
        if (src->current_vcpus != dst->current_vcpus) {
                unsigned first = src->current_vcpus < dst->current_vcpus ? src->current_vcpus : dst->current_vcpus;
                return refuse(err, "vcpu enable state of vCPU '%u' differs between source and destination definitions",
                              first);
        }
        if (str_differs(src->os_type, dst->os_type))
                return refuse(err, "Target domain OS type %s does not match source %s", or_none(dst->os_type),
                              or_none(src->os_type));
        const DomainOs *so = &src->priv->os, *dos = &dst->priv->os;
        if (str_differs(so->arch, dos->arch))
                return refuse(err, "Target domain architecture %s does not match source %s", or_none(dos->arch),
                              or_none(so->arch));
        if (str_differs(so->machine, dos->machine))
                return refuse(err, "Target domain machine type %s does not match source %s", or_none(dos->machine),
                              or_none(so->machine));
        const DomainDevices *s = &src->priv->devices, *d = &dst->priv->devices;
        if (check_counts(s, d, err) < 0 || check_disks(s, d, err) < 0 || check_nets(s, d, err) < 0)
                return -1;
        return 0;
}
