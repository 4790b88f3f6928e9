/* cpu-models.c: libvirt 9.0's CPU model names (its cpu_map, the same for every hypervisor driver: both the test and the QEMU drivers answer from it), and the architectures it knows. */
#include "cpu-models.h"

#include <string.h>

#include "driver.h"
#include "manager.h"

static const char *const x86_models[] = {
        "486", "pentium", "pentium2", "pentium3", "pentiumpro", "coreduo", "n270", "core2duo", "qemu32",
        "kvm32", "cpu64-rhel5", "cpu64-rhel6", "qemu64", "kvm64", "Conroe", "Penryn", "Nehalem", "Nehalem-IBRS",
        "Westmere", "Westmere-IBRS", "SandyBridge", "SandyBridge-IBRS", "IvyBridge", "IvyBridge-IBRS",
        "Haswell-noTSX", "Haswell-noTSX-IBRS", "Haswell", "Haswell-IBRS", "Broadwell-noTSX",
        "Broadwell-noTSX-IBRS", "Broadwell", "Broadwell-IBRS", "Skylake-Client", "Skylake-Client-IBRS",
        "Skylake-Client-noTSX-IBRS", "Skylake-Server", "Skylake-Server-IBRS", "Skylake-Server-noTSX-IBRS",
        "Cascadelake-Server", "Cascadelake-Server-noTSX", "Icelake-Client", "Icelake-Client-noTSX",
        "Icelake-Server", "Icelake-Server-noTSX", "Cooperlake", "Snowridge", "athlon", "phenom", "Opteron_G1",
        "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5", "EPYC", "EPYC-IBPB", "EPYC-Rome", "EPYC-Milan",
        "Dhyana",
        NULL,
};

static const char *const ppc64_models[] = {
        "POWER6", "POWER7", "POWER8", "POWER9", "POWER10", "POWERPC_e5500", "POWERPC_e6500", NULL,
};

static const char *const no_models[] = { NULL };

/* virArch's names: an architecture libvirt knows but keeps no CPU map for lists nothing. */
static const char *const known_archs[] = {
        "i686", "x86_64", "aarch64", "alpha", "armv6l", "armv7l", "armv7b", "cris", "loongarch64", "lm32",
        "m68k", "microblaze", "microblazeel", "mips", "mipsel", "mips64", "mips64el", "openrisc", "parisc",
        "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb", "riscv32", "riscv64", "s390", "s390x", "sh4",
        "sh4eb", "sparc", "sparc64", "unicore32", "xtensa", "xtensaeb", NULL,
};

int cpu_model_names(Connection *c, const char *arch, unsigned flags, const char *const **out, VbError *err) {
        const char *fn = c->driver->error_from == VB_FROM_TEST ? "testConnectGetCPUModelNames"
                                                               : "qemuConnectGetCPUModelNames";
        if (vb_check_flags(flags, 0, fn, err) < 0) {
                if (err)
                        err->from = c->driver->error_from;      /* the driver's check, as libvirt's */
                return -1;
        }
        const char *const *list = NULL;
        if (strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0)
                list = x86_models;
        else if (strcmp(arch, "ppc64") == 0 || strcmp(arch, "ppc64le") == 0)
                list = ppc64_models;
        for (size_t i = 0; !list && known_archs[i]; i++)
                if (strcmp(arch, known_archs[i]) == 0)
                        list = no_models;
        if (!list) {
                vb_error_set(err, VB_ERR_INVALID_ARG, (VbErrorFrom) c->driver->error_from,
                             "cannot find architecture %s", arch);
                return -1;
        }
        int n = 0;
        while (list[n])
                n++;
        *out = list;
        return n;
}
