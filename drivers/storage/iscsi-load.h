/* iscsi-load.h: libiscsi, loaded at the first iSCSI session instead of linked.
 *
 * Included by iscsi-direct-io.c in place of <iscsi/iscsi.h>: libiscsi pulls in libibverbs,
 * librdmacm and libnl, megabytes that a daemon without iscsi-direct pools never needs. The
 * calls below go through a table that iscsi-load.c fills with dlopen()/dlsym() the first time
 * a context is created (from any thread: pthread_once); every other call needs a context, so
 * the table is there by then. A host without libiscsi gets a NULL context and the log says why. */
#pragma once

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define ISCSI_LOAD_FUNCS(X) \
        X(iscsi_create_context) X(iscsi_destroy_context) X(iscsi_set_targetname) X(iscsi_set_session_type) \
        X(iscsi_set_header_digest) X(iscsi_set_timeout) X(iscsi_connect_sync) X(iscsi_disconnect) \
        X(iscsi_login_sync) X(iscsi_logout_sync) X(iscsi_get_error) X(iscsi_reportluns_sync) \
        X(iscsi_readcapacity16_sync) X(iscsi_inquiry_sync) X(iscsi_testunitready_sync) X(iscsi_read16_sync) \
        X(iscsi_write16_sync) X(iscsi_synchronizecache16_sync) X(scsi_datain_unmarshall) X(scsi_free_scsi_task) \
        X(iscsi_set_initiator_username_pwd)

typedef struct IscsiLib {
#define ISCSI_LOAD_FIELD(name) __typeof__(&name) p_##name;
        ISCSI_LOAD_FUNCS(ISCSI_LOAD_FIELD)
#undef ISCSI_LOAD_FIELD
} IscsiLib;

/* The table once loaded (NULL before the first successful iscsi_load_create_context()). */
extern const IscsiLib *iscsi_lib;
/* Load libiscsi if not yet, then iscsi_create_context(); NULL when it cannot be loaded. */
struct iscsi_context *iscsi_load_create_context(const char *initiator_name);

#define iscsi_create_context(ini) iscsi_load_create_context(ini)
#define iscsi_destroy_context (iscsi_lib->p_iscsi_destroy_context)
#define iscsi_set_targetname (iscsi_lib->p_iscsi_set_targetname)
#define iscsi_set_session_type (iscsi_lib->p_iscsi_set_session_type)
#define iscsi_set_header_digest (iscsi_lib->p_iscsi_set_header_digest)
#define iscsi_set_timeout (iscsi_lib->p_iscsi_set_timeout)
#define iscsi_connect_sync (iscsi_lib->p_iscsi_connect_sync)
#define iscsi_disconnect (iscsi_lib->p_iscsi_disconnect)
#define iscsi_login_sync (iscsi_lib->p_iscsi_login_sync)
#define iscsi_logout_sync (iscsi_lib->p_iscsi_logout_sync)
#define iscsi_get_error (iscsi_lib->p_iscsi_get_error)
#define iscsi_reportluns_sync (iscsi_lib->p_iscsi_reportluns_sync)
#define iscsi_readcapacity16_sync (iscsi_lib->p_iscsi_readcapacity16_sync)
#define iscsi_inquiry_sync (iscsi_lib->p_iscsi_inquiry_sync)
#define iscsi_testunitready_sync (iscsi_lib->p_iscsi_testunitready_sync)
#define iscsi_read16_sync (iscsi_lib->p_iscsi_read16_sync)
#define iscsi_write16_sync (iscsi_lib->p_iscsi_write16_sync)
#define iscsi_synchronizecache16_sync (iscsi_lib->p_iscsi_synchronizecache16_sync)
#define scsi_datain_unmarshall (iscsi_lib->p_scsi_datain_unmarshall)
#define scsi_free_scsi_task (iscsi_lib->p_scsi_free_scsi_task)
#define iscsi_set_initiator_username_pwd (iscsi_lib->p_iscsi_set_initiator_username_pwd)
