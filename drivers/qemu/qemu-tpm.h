/* qemu-tpm.h: a guest's emulated TPM: swtpm's state directory, its first manufacture (swtpm_setup), the swtpm process beside QEMU, and the state's removal at undefine. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "call.h"
#include "domain-model.h"
#include "domain.h"
#include "error.h"
#include "qemu-command.h"
#include "qemu-state.h"

struct QemuDomain;


/* swtpm's state, kept across starts: <state root>/swtpm/<uuid>/tpm2 (libvirt's layout). */
int qemu_tpm_state_dir(Connection *c, const uint8_t uuid[16], char *buf, size_t len);

/* Start, before the AppArmor load and the spawn: the state directory made (0700, owned by
 * the user QEMU runs as) and, the first time, swtpm_setup run in a watched child. 0: nothing
 * to wait for (no emulated TPM, or its state exists); VERB_PENDING: the start goes on with
 * next(d, NULL, arg, ...) once swtpm_setup is done (qemu_verb_continue); -1 with err. */
int qemu_tpm_prepare(struct QemuDomain *qd, const DomainDef *def, QemuNamesNext next, void *arg, Call *call,
                     VbError *err);

/* Spawn: swtpm on a listening socket the daemon binds (it inherits it: QEMU may connect at
 * once), watched through a pidfd. *sock: that socket's path (free it), NULL without an
 * emulated TPM. The live definition gets <alias name='tpm0'/>. 0 or -1 with err. */
int qemu_tpm_spawn(struct QemuDomain *qd, DomainDef *live, char **sock, VbError *err);

/* QEMU is gone (or the start failed): swtpm is told to end (it ends with its client anyway,
 * --terminate) and its socket removed; a transient guest's state goes once swtpm has ended. */
void qemu_tpm_stop(struct QemuDomain *qd);
/* Stop watching swtpm without signalling it (the daemon stops; it ends with QEMU). */
void qemu_tpm_release(struct QemuDomain *qd);
/* After a restart: watch the swtpm the runtime record names (pid 0: none); a gone one is only
 * logged (QEMU's TPM then answers errors). */
void qemu_tpm_adopt(struct QemuDomain *qd, pid_t pid, uint64_t start_time);
/* The running swtpm for the runtime record: its pid (0: none) and start time. */
pid_t qemu_tpm_pid(const struct QemuDomain *qd, uint64_t *start_time);

/* Undefine: VIR_DOMAIN_UNDEFINE_TPM and _KEEP_TPM are exclusive; the state goes unless
 * KEEP_TPM is given or def's <backend persistent_state='yes'> without UNDEFINE_TPM (a running
 * guest's when it stops). */
#define QEMU_UNDEFINE_TPM (1u << 5)
#define QEMU_UNDEFINE_KEEP_TPM (1u << 6)
int qemu_tpm_undefine_check(unsigned flags, VbError *err);
void qemu_tpm_undefined(Domain *d, const DomainDef *def, unsigned flags);
