/* test-driver.c: the Test connection: an in-memory hypervisor with libvirt's test:///default content. */
#define LOG_MODULE "test"
#include "driver.h"
#include "test-ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain.h"
#include "log.h"
#include "network.h"
#include "storage.h"
#include "test-content.h"
#include "domain-model.h"

/* Guests here do nothing but change state: every op reports its outcome at once. */
/* A running guest's NICs without a <target dev> are named testnet0, testnet1, … in its live
 * definition, as libvirt's test driver names them. */
static void name_interfaces(Domain *d) {
        if (!d->live || !d->live->priv)
                return;
        DomainDevices *devs = &d->live->priv->devices;
        unsigned next = 0;
        for (size_t i = 0; i < devs->n_interfaces; i++) {
                char name[32];
                if (devs->interfaces[i].target_dev)
                        continue;
                snprintf(name, sizeof name, "testnet%u", next++);
                devs->interfaces[i].target_dev = strdup(name);
        }
}

static int test_domain_start(Domain *d, unsigned flags, Call *call, VbError *err) {
        domain_transition(d, DOMAIN_INPUT_BOOTED);
        name_interfaces(d);
        if (flags & DOMAIN_START_PAUSED)
                domain_transition(d, DOMAIN_INPUT_PAUSED);
        return 0;
}

static int test_domain_shutdown(Domain *d, unsigned flags, Call *call, VbError *err) {
        domain_transition(d, DOMAIN_INPUT_POWERED_OFF);
        return 0;
}

/* libvirt's test driver reports no event for a reboot or reset: nothing changes state. */
static int test_domain_reset(Domain *d, unsigned flags, Call *call, VbError *err) {
        return 0;
}

static int test_domain_suspend(Domain *d, Call *call, VbError *err) {
        domain_transition(d, DOMAIN_INPUT_PAUSED);
        return 0;
}

static int test_domain_resume(Domain *d, Call *call, VbError *err) {
        domain_transition(d, DOMAIN_INPUT_RESUMED);
        return 0;
}

static int test_domain_destroy(Domain *d, unsigned flags, Call *call, VbError *err) {
        domain_transition(d, DOMAIN_INPUT_DESTROYED);
        return 0;
}

/* libvirt's test driver reports wall-clock time as CPU time; a steady clock serves the same. */
static int test_domain_runtime(Domain *d, DomainRuntimeInfo *info, VbError *err) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        info->cpu_time_ns = (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
        info->memory_kib = domain_current_def(d)->current_memory_kib;
        return 0;
}

/* The in-memory balloon moves at once. */
static int test_domain_set_memory(Domain *d, uint64_t kib, Call *call, VbError *err) {
        d->live->current_memory_kib = kib;
        return 0;
}

/* virDomainSetVcpusFlags LIVE, as libvirt's test driver: the count of online vCPUs, nothing to plug. */
static int test_domain_set_vcpus(Domain *d, unsigned n, Call *call, VbError *err) {
        d->live->current_vcpus = n == d->live->vcpus ? 0 : n;
        return 0;
}

/* vCPU times as libvirt's test driver: none known beyond the running state; the clock serves. */
static int test_domain_get_stats(Domain *d, DomainStats *st, Call *call, VbError *err) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        for (size_t i = 0; i < st->n_vcpus; i++) {
                st->vcpus[i].time_ns = (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
                st->vcpus[i].has_time = true;
        }
        return 0;
}

/* libvirt's test driver sends a fixed picture whatever the screen; ours is drawn at build time
 * (gen-screenshot.py) and sent from memory through the stream. */
extern const uint8_t test_screenshot_png[];
extern const size_t test_screenshot_png_len;

static int test_domain_screenshot(Domain *d, unsigned screen, Stream *st, char **mime, VbError *err) {
        char *type = strdup("image/png");
        if (!type)
                return vb_error_errno(err, -ENOMEM, "screenshot");
        int r = stream_produce_buffer(st, test_screenshot_png, test_screenshot_png_len, NULL, NULL);
        if (r < 0) {
                free(type);
                return vb_error_errno(err, r, "screenshot");
        }
        *mime = type;
        return 0;
}

/* virDomainMemoryPeek as libvirt's test driver answers it: byte i is (start + i) mod 256. */
static int test_domain_memory_peek(Domain *d, uint64_t start, size_t size, bool physical, uint8_t *out, Call *call,
                                   VbError *err) {
        for (size_t i = 0; i < size; i++)
                out[i] = (uint8_t) (start + i);
        return 0;
}

static const DomainOps test_domain_ops = {
        .memory_peek = test_domain_memory_peek,
        .screenshot = test_domain_screenshot,
        .set_memory = test_domain_set_memory,
        .set_vcpus = test_domain_set_vcpus,
        .get_stats = test_domain_get_stats,
        .start = test_domain_start,
        .shutdown = test_domain_shutdown,
        .reboot = test_domain_reset,
        .reset = test_domain_reset,
        .suspend = test_domain_suspend,
        .resume = test_domain_resume,
        .destroy = test_domain_destroy,
        .get_runtime_info = test_domain_runtime,
        .snapshot_create = test_snapshot_create,
        .snapshot_revert = test_snapshot_revert,
        .snapshot_delete = test_snapshot_delete,
        .checkpoint_create = test_checkpoint_bitmaps,
        .checkpoint_delete = test_checkpoint_bitmaps,
        .pin_vcpu = test_pin_vcpu,
        .set_blkiotune = test_set_blkiotune,
        .set_numatune = test_set_numatune,
        .start_takes_files = true,      /* as libvirt's test driver: taken, and nothing runs to use them */
};

/* Volumes live in memory only; the key and path are the pool's target path and the name. */
static int test_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err) {
        const char *dir = p->def->target_path ? p->def->target_path : "";
        char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, def->name) < 0)
                return vb_error_errno(err, -ENOMEM, "volume path");
        char *key = strdup(path);
        if (!key) {
                free(path);
                return vb_error_errno(err, -ENOMEM, "volume key");
        }
        free(def->path);
        free(def->key);
        def->path = path;
        def->key = key;
        /* As libvirt's test driver: fully allocated raw files; the pool counts the allocation
         * but keeps reporting the same space available. */
        if (from && def->allocation < from->def->allocation)
                def->allocation = from->def->allocation;
        if (def->allocation == 0 || def->allocation > def->capacity)
                def->allocation = def->capacity;
        if (!def->format && !(def->format = strdup("raw")))
                return vb_error_errno(err, -ENOMEM, "volume format");
        if (!def->type && !(def->type = strdup("file")))
                return vb_error_errno(err, -ENOMEM, "volume type");
        if (p->def->available < def->allocation)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_TEST,
                                    "Not enough free space in pool for volume '%s'", def->name);
        p->def->allocation += def->allocation;
        return 0;
}

/* Every pool of libvirt's test driver has 100 GiB, whatever its definition says. */
static int test_pool_post_parse(PoolDef *def, VbError *err) {
        if (def->capacity == 0) {
                def->capacity = 100ULL << 30;
                def->available = 100ULL << 30;
        }
        return 0;
}

/* libvirt's test driver runs its guests as i686 unless told otherwise. */
static int test_domain_post_parse(Connection *c, DomainDef *def, VbError *err) {
        if (!def->priv->os.arch && !(def->priv->os.arch = strdup("i686")))
                return vb_error_errno(err, -ENOMEM, "domain arch");
        return 0;
}

/* Networks and pools live in this connection's memory only: keeping a definition, starting,
 * stopping, building or deleting a pool all succeed at once, as in libvirt's test driver. */
static int test_network_define(Network *n, const NetworkDef *def, VbError *err) {
        return 0;
}

static int test_network_undefine(Network *n, VbError *err) {
        return 0;
}

static int test_network_switch(Network *n, Call *call, VbError *err) {
        return 0;
}

/* virNetworkUpdate: the definitions live in memory only, as libvirt's test driver keeps them. */
static int test_network_update(Network *n, const NetworkDef *config, const NetworkDef *live, unsigned section,
                               VbError *err) {
        return 0;
}

static const NetworkOps test_network_ops = {
        .update = test_network_update,
        .define = test_network_define,
        .undefine = test_network_undefine,
        .start = test_network_switch,
        .stop = test_network_switch,
};

static int test_pool_define(StoragePool *p, const PoolDef *def, VbError *err) {
        return 0;
}

static int test_pool_undefine(StoragePool *p, VbError *err) {
        return 0;
}

static int test_pool_switch(StoragePool *p, Call *call, VbError *err) {
        return 0;
}

static int test_pool_build(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        return 0;
}

/* Deleting a dir pool removes its (imaginary) directory: nothing to do in memory. */
static int test_pool_remove(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        return 0;
}

static int test_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        v->pool->def->allocation -= v->def->allocation;
        return 0;
}

static int test_vol_wipe(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        return 0;
}

static int test_vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err) {
        v->def->capacity = capacity;
        return 0;
}

static const PoolOps test_pool_ops = {
        .post_parse = test_pool_post_parse,
        .define = test_pool_define,
        .undefine = test_pool_undefine,
        .start = test_pool_switch,
        .stop = test_pool_switch,
        .build = test_pool_build,
        .remove = test_pool_remove,
        .refresh = test_pool_switch,
        .vol_create = test_vol_create,
        .vol_delete = test_vol_delete,
        .vol_wipe = test_vol_wipe,
        .vol_resize = test_vol_resize,
};

static char *test_capabilities(Connection *c, VbError *err) {
        char *s = strdup(test_capabilities_xml);
        if (!s)
                vb_error_errno(err, -ENOMEM, "capabilities");
        return s;
}

static char *test_sysinfo(Connection *c, VbError *err) {
        char *s = strdup(test_sysinfo_xml);
        if (!s)
                vb_error_errno(err, -ENOMEM, "sysinfo");
        return s;
}

static int test_node_info(Connection *c, NodeInfo *info, VbError *err) {
        *info = (NodeInfo) { .memory_kib = 3145728, .cpus = 16, .mhz = 1400, .nodes = 2,
                             .sockets = 2, .cores = 2, .threads = 2 };
        snprintf(info->model, sizeof info->model, "i686");
        return 0;
}

static int test_free_memory(Connection *c, uint64_t *bytes, VbError *err) {
        *bytes = 3072ULL * 1024;   /* the cells' free memory, as libvirt's test driver reports */
        return 0;
}

static const HostOps test_host_ops = {
        .cpu_stats = test_node_cpu_stats,
        .cells_free_memory = test_node_cells_free_memory,
        .cpu_map = test_node_cpu_map,
        .capabilities = test_capabilities,
        .sysinfo = test_sysinfo,
        .node_info = test_node_info,
        .free_memory = test_free_memory,
        .free_pages = test_node_free_pages,
};

/* Fresh content at every start, as libvirt's test:///default. */
static int test_open(Connection *c, VbError *err) {
        Domain *d = NULL;
        DomainDef *dd = domain_def_parse(test_domain_xml, sizeof test_domain_xml - 1, 0, err);
        if (!dd || domain_add(c, dd, true, &d, err) < 0) {
                domain_def_free(dd);
                return -1;
        }
        if (domain_restore_state(d, DOMAIN_RUNNING, RUNNING_UNKNOWN, err) < 0)
                return -1;

        NetworkDef *nd = network_def_parse(test_network_xml, sizeof test_network_xml - 1, 0, err);
        if (!nd || network_add(c, nd, true, true, NULL, err) < 0) {
                network_def_free(nd);
                return -1;
        }
        PoolDef *pd = pool_def_parse(test_pool_xml, sizeof test_pool_xml - 1, 0, err);
        if (!pd || pool_add(c, pd, true, true, NULL, err) < 0) {
                pool_def_free(pd);
                return -1;
        }
        log_debug("test:///default content loaded");
        return 0;
}

const Driver test_driver = {
        .name = "Test",
        .uri = "test:///default",
        .type = "TEST",
        .version = 2,
        .error_from = VB_FROM_TEST,
        .open = test_open,
        .domain = &test_domain_ops,
        .own_networks = &test_network_ops,
        .own_pools = &test_pool_ops,
        .host = &test_host_ops,
        .interfaces = &test_iface_ops,
        .info = &test_info_ops,
        .agent = &test_agent_ops,
        .tune = &test_tune_ops,
        .nodedevs = &test_nodedev_ops,
        .os_type = "linux",
        .scheduler = "fair",
        .scheduler_nparams = 1,
        .max_vcpus = 32,
        .domain_stats_groups = DOMAIN_STATS_STATE,
        .security_model = "testSecurity",
        .security_doi = "",
        .security_label = "libvirt-test",
        .domain_post_parse = test_domain_post_parse,
};
