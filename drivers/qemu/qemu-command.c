/* qemu-command.c: the QEMU command line of a domain: the machine, its CPUs, memory, firmware and monitor; devices live in qemu-command-{disk,devices}.c. */
#include "qemu-command-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-command.h"
#include "uuid.h"

static bool str_prefix(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- the machine ---- */

static int qemu_cmd_check_domain(QemuCmd *c) {
        const DomainDef *def = c->def;
        const DomainOs *os = &def->priv->os;
        if (qemu_str_eq(def->virt_type, "kvm")) {
                if (!c->in->kvm_available)
                        return vb_error_set(c->err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "Domain requires KVM, but it is not available. Check that "
                                            "virtualization is enabled in the host BIOS, and host "
                                            "configuration is setup to load the kvm modules.");
                c->kvm = true;
        } else if (!qemu_str_eq(def->virt_type, "qemu")) {
                return qemu_cmd_unsupported(c, "domain type '%s' is not supported by the QEMU driver",
                                            def->virt_type ? def->virt_type : "");
        }
        if (!qemu_str_eq(def->os_type, "hvm"))
                return qemu_cmd_unsupported(c, "os type '%s' is not supported (only 'hvm' is)",
                                            def->os_type ? def->os_type : "");
        if (os->arch && !qemu_str_eq(os->arch, "x86_64") && !qemu_str_eq(os->arch, "i686"))
                return qemu_cmd_unsupported(c, "architecture '%s' is not supported (only x86_64 and i686 are)",
                                            os->arch);
        if (def->memory_kib == 0)
                return qemu_cmd_unsupported(c, "the domain has no <memory>");
        return 0;
}

static const char *qemu_cmd_machine_type(const QemuCmd *c) {
        const DomainOs *os = &c->def->priv->os;
        if (os->machine)
                return os->machine;
        if (c->in->cfg && c->in->cfg->machine_type)
                return c->in->cfg->machine_type;
        return "pc";
}

/* pflash firmware: its nodes come before -machine, which names them. */
static void qemu_cmd_pflash(QemuCmd *c, int unit, const char *path, bool readonly) {
        QemuStr s = { 0 };
        qstr_printf(&s, "driver=file");
        qstr_kv(&s, "filename", path);
        qstr_printf(&s, ",node-name=libvirt-pflash%d-storage,auto-read-only=on,discard=unmap", unit);
        qemu_cmd_opt(c, "-blockdev", &s);
        qstr_printf(&s, "node-name=libvirt-pflash%d-format,read-only=%s,driver=raw,file=libvirt-pflash%d-storage",
                    unit, readonly ? "on" : "off", unit);
        qemu_cmd_opt(c, "-blockdev", &s);
}

static int qemu_cmd_firmware(QemuCmd *c, bool *pflash0, bool *pflash1) {
        const DomainOs *os = &c->def->priv->os;
        *pflash0 = *pflash1 = false;
        if (!os->loader) {
                if (qemu_str_eq(os->firmware, "efi"))
                        return qemu_cmd_unsupported(c, "firmware autoselection (<os firmware='efi'>) is not "
                                                    "supported; name the firmware with <loader>");
                if (os->nvram)
                        return qemu_cmd_unsupported(c, "<nvram> needs a <loader type='pflash'>");
                return 0;
        }
        if (os->loader[0] != '/')
                return qemu_cmd_unsupported(c, "loader '%s' must be an absolute path", os->loader);
        if (!qemu_str_eq(os->loader_type, "pflash")) {
                if (os->nvram)
                        return qemu_cmd_unsupported(c, "<nvram> needs a <loader type='pflash'>");
                if (qemu_str_eq(os->loader_secure, "yes"))
                        return qemu_cmd_unsupported(c, "secure boot needs a <loader type='pflash'>");
                return 0;                  /* -bios, after -machine */
        }
        if (qemu_str_eq(os->loader_secure, "yes") && !c->q35)
                return qemu_cmd_unsupported(c, "Secure boot is supported with q35 machine types only");
        qemu_cmd_pflash(c, 0, os->loader, !qemu_str_eq(os->loader_readonly, "no"));
        *pflash0 = true;
        if (os->nvram) {
                if (os->nvram[0] != '/')
                        return qemu_cmd_unsupported(c, "nvram '%s' must be an absolute path", os->nvram);
                qemu_cmd_pflash(c, 1, os->nvram, false);
                *pflash1 = true;
        }
        return 0;
}

static const DomainTimer *qemu_cmd_timer(const QemuCmd *c, const char *name) {
        const DomainClock *clock = &c->def->priv->clock;
        for (size_t i = 0; i < clock->n_timers; i++)
                if (qemu_str_eq(clock->timers[i].name, name))
                        return &clock->timers[i];
        return NULL;
}

static int qemu_cmd_machine(QemuCmd *c) {
        const DomainDefPrivate *p = c->def->priv;
        const char *type = qemu_cmd_machine_type(c);
        if (!qemu_token_ok(type))
                return qemu_cmd_unsupported(c, "machine type '%s' is not valid", type);
        c->q35 = strcmp(type, "q35") == 0 || str_prefix(type, "pc-q35-");
        bool i440fx = !c->q35 && (strcmp(type, "pc") == 0 || str_prefix(type, "pc-"));
        if (!c->q35 && !i440fx)
                return qemu_cmd_unsupported(c, "machine type '%s' is not supported (only the pc and q35 "
                                            "families are)", type);
        bool pflash0, pflash1;
        if (qemu_cmd_firmware(c, &pflash0, &pflash1) < 0)
                return -1;
        bool secure = qemu_str_eq(p->os.loader_secure, "yes");
        if (secure && qemu_str_eq(p->features.smm_state, "off"))
                return qemu_cmd_unsupported(c, "Secure boot requires SMM feature enabled");

        QemuStr s = { 0 };
        qstr_printf(&s, "%s,usb=off,dump-guest-core=off", type);
        if (!p->features.acpi)
                qstr_printf(&s, ",acpi=off");
        if (p->features.vmport_state)
                qstr_printf(&s, ",vmport=%s", qemu_str_eq(p->features.vmport_state, "on") ? "on" : "off");
        if (secure || p->features.smm_state)
                qstr_printf(&s, ",smm=%s", secure || qemu_str_eq(p->features.smm_state, "on") ? "on" : "off");
        const DomainTimer *hpet = qemu_cmd_timer(c, "hpet");
        if (hpet && qemu_str_eq(hpet->present, "no"))
                qstr_printf(&s, ",hpet=off");
        if (pflash0)
                qstr_printf(&s, ",pflash0=libvirt-pflash0-format");
        if (pflash1)
                qstr_printf(&s, ",pflash1=libvirt-pflash1-format");
        qemu_cmd_opt(c, "-machine", &s);
        qemu_cmd_arg(c, "-accel");
        qemu_cmd_arg(c, c->kvm ? "kvm" : "tcg");
        if (secure) {
                qemu_cmd_arg(c, "-global");
                qemu_cmd_arg(c, "driver=cfi.pflash01,property=secure,value=on");
        }
        return 0;
}

static int qemu_cmd_cpu(QemuCmd *c) {
        const DomainCpu *cpu = &c->def->priv->cpu;
        const char *mode = cpu->mode ? cpu->mode : (cpu->model ? "custom" : NULL);
        const char *model = NULL;
        if (!mode)
                return 0;
        if (strcmp(mode, "host-passthrough") == 0) {
                if (!c->kvm)
                        return vb_error_set(c->err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "CPU mode 'host-passthrough' for x86_64 qemu domain on x86_64 "
                                            "host is not supported by hypervisor");
                model = "host";
        } else if (strcmp(mode, "host-model") == 0) {
                model = c->kvm ? "host" : "max";
        } else if (strcmp(mode, "maximum") == 0) {
                model = "max";
        } else if (strcmp(mode, "custom") == 0) {
                model = cpu->model;
                if (model && !qemu_token_ok(model))
                        return qemu_cmd_unsupported(c, "CPU model '%s' is not valid", model);
        } else {
                return qemu_cmd_unsupported(c, "CPU mode '%s' is not supported", mode);
        }
        if (!model) {
                if (cpu->n_features)
                        return qemu_cmd_unsupported(c, "CPU features need a CPU <model>");
                return 0;                  /* topology only */
        }
        QemuStr s = { 0 };
        qstr_printf(&s, "%s", model);
        if (strcmp(model, "host") == 0 && qemu_str_eq(cpu->migratable, "off"))
                qstr_printf(&s, ",migratable=off");
        for (size_t i = 0; i < cpu->n_features; i++) {
                const DomainCpuFeature *f = &cpu->features[i];
                if (!qemu_token_ok(f->name)) {
                        free(s.s);
                        return qemu_cmd_unsupported(c, "CPU feature '%s' is not valid", f->name ? f->name : "");
                }
                bool off = qemu_str_eq(f->policy, "disable") || qemu_str_eq(f->policy, "forbid");
                qstr_printf(&s, ",%s=%s", f->name, off ? "off" : "on");
        }
        qemu_cmd_opt(c, "-cpu", &s);
        return 0;
}

static int qemu_cmd_smp(QemuCmd *c) {
        const DomainDef *def = c->def;
        const DomainCpu *cpu = &def->priv->cpu;
        unsigned max = def->vcpus ? def->vcpus : 1;
        unsigned cur = def->current_vcpus && def->current_vcpus <= max ? def->current_vcpus : max;
        bool topology = cpu->sockets.set || cpu->cores.set || cpu->threads.set || cpu->dies.set;
        long long sockets = cpu->sockets.set ? cpu->sockets.v : 1, dies = cpu->dies.set ? cpu->dies.v : 1;
        long long cores = cpu->cores.set ? cpu->cores.v : 1, threads = cpu->threads.set ? cpu->threads.v : 1;
        if (!topology)
                sockets = max;
        else if (sockets < 1 || dies < 1 || cores < 1 || threads < 1 ||
                 sockets * dies * cores * threads != (long long) max)
                return qemu_cmd_unsupported(c, "CPU topology doesn't match maximum vcpu count");
        QemuStr s = { 0 };
        qstr_printf(&s, "%u", cur);
        if (cur != max)
                qstr_printf(&s, ",maxcpus=%u", max);
        qstr_printf(&s, ",sockets=%lld", sockets);
        if (cpu->dies.set)
                qstr_printf(&s, ",dies=%lld", dies);
        qstr_printf(&s, ",cores=%lld,threads=%lld", cores, threads);
        qemu_cmd_opt(c, "-smp", &s);
        return 0;
}

/* <sysinfo type='smbios'> with <os><smbios mode='sysinfo'/>: libvirt's entry names → QEMU's. */
typedef struct SmbiosGroup {
        const char *group;
        int type;
        const char *const *entries;    /* names QEMU takes as they are */
} SmbiosGroup;

static const SmbiosGroup smbios_groups[] = {
        { "bios", 0, (const char *const[]) { "vendor", "version", "date", "release", NULL } },
        { "system", 1, (const char *const[]) { "manufacturer", "product", "version", "serial", "uuid",
                                               "sku", "family", NULL } },
        { "baseBoard", 2, (const char *const[]) { "manufacturer", "product", "version", "serial",
                                                  "asset", "location", NULL } },
        { "chassis", 3, (const char *const[]) { "manufacturer", "version", "serial", "asset", "sku", NULL } },
        { "oemStrings", 11, NULL },
};

static int qemu_cmd_smbios(QemuCmd *c) {
        const DomainDefPrivate *p = c->def->priv;
        const char *mode = p->os.smbios_mode;
        if (!mode || strcmp(mode, "emulate") == 0)
                return 0;
        if (strcmp(mode, "sysinfo") != 0)
                return qemu_cmd_unsupported(c, "smbios mode '%s' is not supported", mode);
        if (!qemu_str_eq(p->sysinfo.type, "smbios"))
                return qemu_cmd_unsupported(c, "Domain requires SMBIOS, but it is not available "
                                            "(no <sysinfo type='smbios'>)");
        for (size_t g = 0; g < p->sysinfo.n_groups; g++) {
                const DomainSysinfoGroup *grp = &p->sysinfo.groups[g];
                const SmbiosGroup *sg = NULL;
                for (size_t k = 0; k < sizeof smbios_groups / sizeof smbios_groups[0]; k++)
                        if (qemu_str_eq(grp->name, smbios_groups[k].group))
                                sg = &smbios_groups[k];
                if (!sg || grp->n_entries == 0)
                        continue;
                QemuStr s = { 0 };
                qstr_printf(&s, "type=%d", sg->type);
                for (size_t e = 0; e < grp->n_entries; e++) {
                        const DomainSysinfoEntry *en = &grp->entries[e];
                        const char *key = sg->entries ? NULL : "value";
                        for (size_t k = 0; sg->entries && sg->entries[k] && !key; k++)
                                if (qemu_str_eq(en->name, sg->entries[k]))
                                        key = sg->entries[k];
                        if (!key) {
                                free(s.s);
                                return qemu_cmd_unsupported(c, "sysinfo entry '%s' of <%s> is not supported",
                                                            en->name ? en->name : "", grp->name);
                        }
                        qstr_kv(&s, key, en->value ? en->value : "");
                }
                qemu_cmd_opt(c, "-smbios", &s);
        }
        return 0;
}

static int qemu_cmd_clock(QemuCmd *c) {
        const DomainClock *clock = &c->def->priv->clock;
        const char *offset = clock->offset ? clock->offset : "utc";
        if (strcmp(offset, "utc") != 0 && strcmp(offset, "localtime") != 0)
                return qemu_cmd_unsupported(c, "clock offset '%s' is not supported", offset);
        QemuStr s = { 0 };
        qstr_printf(&s, "base=%s", offset);
        const DomainTimer *rtc = qemu_cmd_timer(c, "rtc");
        if (rtc && qemu_str_eq(rtc->tickpolicy, "catchup"))
                qstr_printf(&s, ",driftfix=slew");
        qemu_cmd_opt(c, "-rtc", &s);
        const DomainTimer *pit = qemu_cmd_timer(c, "pit");
        if (c->kvm && pit && pit->tickpolicy) {
                const char *policy = strcmp(pit->tickpolicy, "delay") == 0 ? "delay"
                                   : strcmp(pit->tickpolicy, "discard") == 0 ? "discard"
                                   : strcmp(pit->tickpolicy, "catchup") == 0 ? "slew" : NULL;
                if (!policy)
                        return qemu_cmd_unsupported(c, "timer 'pit' tickpolicy '%s' is not supported",
                                                    pit->tickpolicy);
                qemu_cmd_arg(c, "-global");
                qemu_cmd_argf(c, "kvm-pit.lost_tick_policy=%s", policy);
        }
        return 0;
}

/* Suspend states are ACPI's: without ACPI the PM device the globals name does not exist. */
static void qemu_cmd_pm(QemuCmd *c) {
        const DomainDefPrivate *p = c->def->priv;
        const char *dev = c->q35 ? "ICH9-LPC" : "PIIX4_PM";
        if (!p->features.acpi)
                return;
        if (p->pm.suspend_to_mem) {
                qemu_cmd_arg(c, "-global");
                qemu_cmd_argf(c, "%s.disable_s3=%d", dev, qemu_str_eq(p->pm.suspend_to_mem, "yes") ? 0 : 1);
        }
        if (p->pm.suspend_to_disk) {
                qemu_cmd_arg(c, "-global");
                qemu_cmd_argf(c, "%s.disable_s4=%d", dev, qemu_str_eq(p->pm.suspend_to_disk, "yes") ? 0 : 1);
        }
}

static int qemu_cmd_boot(QemuCmd *c) {
        const DomainOs *os = &c->def->priv->os;
        qemu_cmd_arg(c, "-boot");
        qemu_cmd_arg(c, qemu_str_eq(os->bootmenu_enable, "yes") ? "menu=on,strict=on" : "strict=on");
        if (os->dtb)
                return qemu_cmd_unsupported(c, "<dtb> is not supported on x86");
        if (os->kernel) {
                qemu_cmd_arg(c, "-kernel");
                qemu_cmd_arg(c, os->kernel);
        } else if (os->initrd || os->cmdline) {
                return qemu_cmd_unsupported(c, "<initrd> and <cmdline> need a <kernel>");
        }
        if (os->initrd) {
                qemu_cmd_arg(c, "-initrd");
                qemu_cmd_arg(c, os->initrd);
        }
        if (os->cmdline) {
                qemu_cmd_arg(c, "-append");
                qemu_cmd_arg(c, os->cmdline);
        }
        if (os->loader && !qemu_str_eq(os->loader_type, "pflash")) {
                qemu_cmd_arg(c, "-bios");
                qemu_cmd_arg(c, os->loader);
        }
        return 0;
}

static int qemu_cmd_head(QemuCmd *c) {
        const QemuCommandInput *in = c->in;
        const DomainDef *def = c->def;
        const char *emulator = c->devs->emulator;
        if (!emulator || !*emulator)
                emulator = in->cfg && in->cfg->emulator ? in->cfg->emulator : in->emulator_default;
        if (!emulator || !*emulator)
                emulator = "/usr/bin/qemu-system-x86_64";
        const char *name = in->name ? in->name : def->name;
        if (!in->qmp_socket_path || !name)
                return vb_error_set(c->err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "the QEMU command line needs the domain's name and QMP socket path");
        qemu_cmd_arg(c, emulator);
        QemuStr s = { 0 };
        qstr_printf(&s, "guest=");
        qstr_escaped(&s, name);
        qstr_printf(&s, ",debug-threads=on");
        qemu_cmd_opt(c, "-name", &s);
        qemu_cmd_arg(c, "-S");
        if (qemu_cmd_machine(c) < 0 || qemu_cmd_cpu(c) < 0)
                return -1;
        if (qemu_cmd_memory(c) < 0 || qemu_cmd_smp(c) < 0 || qemu_cmd_iothreads(c) < 0)
                return -1;
        char uuid[UUID_STRING_LEN];
        uuid_format(def->uuid, uuid);
        qemu_cmd_arg(c, "-uuid");
        qemu_cmd_arg(c, uuid);
        if (qemu_cmd_smbios(c) < 0)
                return -1;
        qemu_cmd_arg(c, "-no-user-config");
        qemu_cmd_arg(c, "-nodefaults");
        qstr_printf(&s, "socket,id=charmonitor");
        if (in->qmp_socket_fd > 0)
                qstr_printf(&s, ",fd=%d", in->qmp_socket_fd);
        else
                qstr_kv(&s, "path", in->qmp_socket_path);
        qstr_printf(&s, ",server=on,wait=off");
        qemu_cmd_opt(c, "-chardev", &s);
        qemu_cmd_arg(c, "-mon");
        qemu_cmd_arg(c, "chardev=charmonitor,id=monitor,mode=control");
        if (qemu_cmd_clock(c) < 0)
                return -1;
        qemu_cmd_arg(c, "-no-shutdown");
        if (qemu_str_eq(def->on_reboot, "destroy"))
                qemu_cmd_arg(c, "-no-reboot");
        qemu_cmd_pm(c);
        return qemu_cmd_boot(c);
}

char **qemu_command_build(const QemuCommandInput *in, VbError *err) {
        if (!in || !in->def || !in->def->priv) {
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "no domain definition");
                return NULL;
        }
        QemuCmd c = {
                .in = in,
                .def = in->def,
                .devs = &in->def->priv->devices,
                .err = err,
        };
        c.disk_boot = calloc(c.devs->n_disks + 1, sizeof *c.disk_boot);
        c.nic_boot = calloc(c.devs->n_interfaces + 1, sizeof *c.nic_boot);
        int r = -1;
        /* In the order libvirt writes them: the machine, then controllers before what they hold. */
        if (c.disk_boot && c.nic_boot &&
            qemu_cmd_check_domain(&c) == 0 &&
            qemu_cmd_head(&c) == 0 &&
            qemu_cmd_check_unsupported_devices(&c) == 0 &&
            qemu_cmd_plan_pci(&c) == 0 &&
            qemu_cmd_assign_boot(&c) == 0 &&
            qemu_cmd_controllers(&c) == 0 &&
            qemu_cmd_disks(&c) == 0 &&
            qemu_cmd_interfaces(&c) == 0 &&
            qemu_cmd_chardevs(&c) == 0 &&
            qemu_cmd_tpms(&c) == 0 &&
            qemu_cmd_inputs(&c) == 0 &&
            qemu_cmd_graphics(&c) == 0 &&
            qemu_cmd_sounds(&c) == 0 &&
            qemu_cmd_videos(&c) == 0 &&
            qemu_cmd_redirdevs(&c) == 0 &&
            qemu_cmd_watchdogs(&c) == 0 &&
            qemu_cmd_memballoon(&c) == 0 &&
            qemu_cmd_rngs(&c) == 0 &&
            qemu_cmd_panics(&c) == 0) {
                if (c.in->seccomp_sandbox) {     /* qemu.conf seccomp_sandbox, at libvirt's place */
                        qemu_cmd_arg(&c, "-sandbox");
                        qemu_cmd_arg(&c, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
                }
                qemu_cmd_arg(&c, "-msg");
                qemu_cmd_arg(&c, "timestamp=on");
                if (in->incoming_fd > 0) {
                        qemu_cmd_arg(&c, "-incoming");
                        qemu_cmd_argf(&c, "fd:%d", in->incoming_fd);
                }
                if (in->loadvm) {
                        qemu_cmd_arg(&c, "-loadvm");
                        qemu_cmd_arg(&c, in->loadvm);
                }
                if (in->incoming_defer) {
                        qemu_cmd_arg(&c, "-incoming");
                        qemu_cmd_arg(&c, "defer");
                }
                r = 0;
        }
        if (c.oom || !c.disk_boot || !c.nic_boot) {
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
                r = -1;
        }
        free(c.disk_boot);
        free(c.nic_boot);
        qemu_pci_plan_free(c.pci);
        if (r < 0) {
                qemu_argv_free(c.argv);
                return NULL;
        }
        return c.argv;
}

void qemu_argv_free(char **argv) {
        for (char **a = argv; a && *a; a++)
                free(*a);
        free(argv);
}

/* Plain arguments stay as they are; the rest is single-quoted, ' written as '\''. */
char *qemu_command_to_string(char *const *argv) {
        static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                    "_@%+=:,./-";
        QemuStr s = { 0 };
        for (size_t i = 0; argv && argv[i]; i++) {
                const char *a = argv[i];
                if (i)
                        qstr_printf(&s, " ");
                if (*a && a[strspn(a, plain)] == '\0') {
                        qstr_printf(&s, "%s", a);
                        continue;
                }
                qstr_printf(&s, "'");
                for (; *a; a++) {
                        if (*a == '\'')
                                qstr_printf(&s, "'\\''");
                        else
                                qstr_printf(&s, "%c", *a);
                }
                qstr_printf(&s, "'");
        }
        if (!s.s && !s.oom)
                qstr_printf(&s, "%s", "");
        if (s.oom) {
                free(s.s);
                return NULL;
        }
        return s.s;
}
