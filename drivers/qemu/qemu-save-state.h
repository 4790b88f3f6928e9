/* qemu-save-state.h: the save in flight of a guest (QemuDomain.save), which qemu-save.c runs and
 * qemu-domain.c ends when QEMU goes (qemu-save-state.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "qemu-priv.h"

typedef struct QemuSave {
        int fd;                 /* the image, open for writing after its header */
        char *path;
        bool was_running;
        bool done;              /* QEMU wrote all of it; quit sent */
        VbError error;          /* the first step that failed */
        sd_event_source *poll;
        uint64_t started_usec;  /* CLOCK_MONOTONIC */
        bool aborted;           /* virDomainAbortJob: migrate_cancel sent */
        bool keep;              /* a dump of the whole state: QEMU goes on afterwards (no quit) */
        bool reset;             /* that dump's DUMP_RESET: system_reset before cont */
        bool live;              /* that dump's DUMP_LIVE: the CPUs run while it streams */
        uint64_t ram_total, ram_done, ram_left;    /* the last query-migrate's "ram" */
        QemuSaveThen then;      /* a snapshot's memory: its next step instead of the domain's call */
        void *then_data;
} QemuSave;
