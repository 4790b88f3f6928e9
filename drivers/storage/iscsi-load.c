/* iscsi-load.c: libiscsi through dlopen() at the first iSCSI session (iscsi-load.h). */
#define LOG_MODULE "storage"
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "log.h"

/* The table's type without the renaming macros (this file calls nothing through them). */
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

const IscsiLib *iscsi_lib;
static IscsiLib table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
        void *h = dlopen("libiscsi.so.7", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                log_error("cannot load libiscsi (Debian package libiscsi7): %s", dlerror());
                return;
        }
#define ISCSI_LOAD_SYM(name) \
        if (!(table.p_##name = (__typeof__(&name)) dlsym(h, #name))) { \
                log_error("libiscsi lacks %s", #name); \
                dlclose(h); \
                return; \
        }
        ISCSI_LOAD_FUNCS(ISCSI_LOAD_SYM)
#undef ISCSI_LOAD_SYM
        __atomic_store_n(&iscsi_lib, &table, __ATOMIC_RELEASE);
}

struct iscsi_context *iscsi_load_create_context(const char *initiator_name);
struct iscsi_context *iscsi_load_create_context(const char *initiator_name) {
        pthread_once(&once, load);
        const IscsiLib *l = __atomic_load_n(&iscsi_lib, __ATOMIC_ACQUIRE);
        return l ? l->p_iscsi_create_context(initiator_name) : NULL;
}
