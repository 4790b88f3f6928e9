/* iscsi-direct-pool.c: iscsi-direct pools: start logs in to the target and reports its LUNs (each disk LUN a volume), refresh reports them again, stop logs out; the session runs in a thread (iscsi-direct-io.c), never on the event loop. */
#define LOG_MODULE "storage"
#include "iscsi-direct.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "log.h"
#include "secret-conf.h"
#include "secret.h"
#include "uuid.h"

bool iscsi_direct_is(const StoragePool *p) {
        return p->def && p->def->type && strcmp(p->def->type, "iscsi-direct") == 0;
}

static bool iqn_ok(const char *s) {
        if (!s || !s[0] || strlen(s) > 223)     /* RFC 3720's longest iSCSI name */
                return false;
        for (; *s; s++)
                if (*s <= ' ' || *s == '/' || *s == 0x7f)
                        return false;
        return true;
}

int iscsi_direct_post_parse(PoolDef *def, VbError *err) {
        PoolIscsiSourceView src;
        pool_def_get_iscsi_source(def, &src);
        if (src.n_hosts != 1 || !src.host || !src.host[0] || strchr(src.host, '/'))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "iscsi-direct pool '%s' needs exactly one <source><host name='…'/>", def->name);
        if (src.port == 0 || src.port > 65535)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "iscsi-direct pool '%s': port %lld is not a TCP port", def->name, src.port);
        if (src.n_devices != 1 || !iqn_ok(src.device))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "iscsi-direct pool '%s' needs exactly one <source><device path='…'/>: the target's IQN",
                                    def->name);
        if (!iqn_ok(src.initiator_iqn))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "iscsi-direct pool '%s' needs <source><initiator><iqn name='…'/></initiator>",
                                    def->name);
        return 0;
}

int iscsi_direct_target(const StoragePool *p, IscsiTarget *t) {
        const IscsiPool *ip = p->driver_data;
        PoolIscsiSourceView src;
        pool_def_get_iscsi_source(p->def, &src);
        if (!ip || !src.device || !src.initiator_iqn)
                return -EINVAL;
        *t = (IscsiTarget) { .portal = ip->portal, .target = src.device, .initiator = src.initiator_iqn };
        if (ip->chap_password) {
                t->chap_user = src.chap_username;
                t->chap_password = ip->chap_password;
        }
        return 0;
}

const IscsiLun *iscsi_direct_vol_lun(const StorageVol *v) {
        const IscsiPool *ip = v->pool->driver_data;
        const char *name = v->obj.name;
        if (!ip || strncmp(name, ISCSI_VOL_PREFIX, strlen(ISCSI_VOL_PREFIX)) != 0)
                return NULL;
        char *end;
        unsigned long n = strtoul(name + strlen(ISCSI_VOL_PREFIX), &end, 10);
        for (size_t i = 0; !*end && i < ip->n_luns; i++)
                if (ip->luns[i].lun == n)
                        return &ip->luns[i];
        return NULL;
}

/* LUN → volume: libvirt's names ("unit:0:0:1") and keys/paths
 * ("ip-127.0.0.1:3260-iscsi-iqn.…-lun-1"); a network volume, as big as READ CAPACITY says. */
static VolDef *lun_describe(StoragePool *p, const IscsiLun *lun) {
        const IscsiPool *ip = p->driver_data;
        PoolIscsiSourceView src;
        pool_def_get_iscsi_source(p->def, &src);
        static const char xml[] = "<volume type='network'><name>x</name><capacity>0</capacity></volume>";
        VolDef *def = vol_def_parse(xml, sizeof xml - 1, 0, NULL);
        if (!def)
                return NULL;
        free(def->name);
        def->name = NULL;
        if (asprintf(&def->name, ISCSI_VOL_PREFIX "%u", lun->lun) < 0)
                def->name = NULL;
        if (asprintf(&def->path, "ip-%s-iscsi-%s-lun-%u", ip->portal, src.device, lun->lun) < 0)
                def->path = NULL;
        def->key = def->path ? strdup(def->path) : NULL;
        def->capacity = def->allocation = lun->capacity;
        if (!def->name || !def->path || !def->key)
                return vol_def_free(def);
        return def;
}

/* The volumes as the last scan saw the LUNs: new ones added, gone ones dropped. */
static int sync_luns(StoragePool *p, IscsiLun *luns, size_t n, VbError *err) {
        IscsiPool *ip = p->driver_data;
        free(ip->luns);
        ip->luns = luns;
        ip->n_luns = n;
        p->def->capacity = p->def->allocation = p->def->available = 0;
        for (size_t i = 0; i < n; i++) {
                VolDef *def = lun_describe(p, &luns[i]);
                if (!def)
                        return vb_error_errno(err, -ENOMEM, "volume");
                if (pool_sync_volume(p, def, err) < 0)
                        return -1;
                p->def->capacity += luns[i].capacity;
        }
        p->def->allocation = p->def->capacity;
        for (Object *o = p->volumes.first, *next; o; o = next) {
                next = o->next;
                if (!iscsi_direct_vol_lun((StorageVol *) o))
                        pool_drop_volume((StorageVol *) o);
        }
        return 0;
}

static void iscsi_pool_free(StoragePool *p) {
        IscsiPool *ip = p->driver_data;
        if (!ip)
                return;
        iscsi_conn_free(ip->conn);
        free(ip->portal);
        if (ip->chap_password) {
                explicit_bzero(ip->chap_password, strlen(ip->chap_password));
                free(ip->chap_password);
        }
        free(ip->luns);
        free(ip);
        p->driver_data = NULL;
}

static void iscsi_error(VbError *err, const StoragePool *p, const IscsiReq *r) {
        vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE, "iSCSI target of pool '%s': %s", p->obj.name,
                     r->msg[0] ? r->msg : strerror(r->errnum));
}

static void on_pool_io(IscsiConn *c, IscsiReq *r, void *userdata) {
        StoragePool *p = userdata;
        IscsiPool *ip = p->driver_data;
        VbError err = { 0 };
        if (r->op == ISCSI_LOGOUT) {
                /* A stop, or a failed start that logged out before answering. */
                int fr = ip->stopping ? 0 : ip->fail_r;
                VbError fe = ip->fail_err;
                iscsi_pool_free(p);
                pool_job_done(p, fr, fr < 0 ? &fe : NULL);
                return;
        }
        if (r->errnum) {
                free(r->luns);
                iscsi_error(&err, p, r);
                log_error("pool %s: %s", p->obj.name, err.message);
                if (p->state == POOL_INACTIVE) {
                        ip->fail_r = -1;
                        ip->fail_err = err;
                        IscsiReq out = { .op = ISCSI_LOGOUT };
                        iscsi_conn_submit(ip->conn, &out);
                        return;
                }
                pool_job_done(p, -1, &err);     /* a refresh: the pool stays up */
                return;
        }
        bool starting = p->state == POOL_INACTIVE;
        if (sync_luns(p, r->luns, r->n_luns, &err) < 0) {
                pool_job_done(p, -1, &err);
                return;
        }
        if (starting)
                log_info("pool %s: logged in to %s, %zu LUNs", p->obj.name, ip->portal, ip->n_luns);
        pool_job_done(p, 0, NULL);
}

/* <auth type='chap'>: the password is the value of the secret the pool names (by its iSCSI usage
 * or its UUID), read from the host's secrets at each start; it is never logged. */
static int chap_read_password(StoragePool *p, const PoolIscsiSourceView *src, char **out, VbError *err) {
        VbError e = { 0 };
        Secret *s = NULL;
        uint8_t u[16];
        if (src->chap_secret_uuid)
                s = uuid_parse(src->chap_secret_uuid, u) == 0 ? secret_lookup_uuid(p->obj.conn, u, &e) : NULL;
        else
                s = secret_lookup_usage(p->obj.conn, SECRET_USAGE_ISCSI, src->chap_secret_usage, &e);
        uint8_t *v = NULL;
        size_t len = 0;
        if (!s || secret_get_value_internal(s, &v, &len, &e) < 0)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE,
                                    "pool '%s': CHAP secret for user '%s' of iSCSI target '%s': %s", p->obj.name,
                                    src->chap_username, src->device, e.message);
        if (len == 0 || memchr(v, 0, len)) {
                secret_value_free(v, len);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE,
                                    "pool '%s': the CHAP secret of iSCSI target '%s' is empty or holds a NUL byte",
                                    p->obj.name, src->device);
        }
        char *pw = malloc(len + 1);
        if (pw) {
                memcpy(pw, v, len);
                pw[len] = '\0';
        }
        secret_value_free(v, len);
        if (!pw)
                return vb_error_errno(err, -ENOMEM, "CHAP secret");
        *out = pw;
        return 0;
}

int iscsi_direct_pool_start(StoragePool *p, Call *call, VbError *err) {
        PoolIscsiSourceView src;
        pool_def_get_iscsi_source(p->def, &src);
        IscsiPool *ip = calloc(1, sizeof *ip);
        if (!ip || asprintf(&ip->portal, "%s:%lld", src.host, src.port > 0 ? src.port : ISCSI_DEFAULT_PORT) < 0) {
                free(ip);
                return vb_error_errno(err, -ENOMEM, "pool");
        }
        p->driver_data = ip;
        if (src.chap_username && chap_read_password(p, &src, &ip->chap_password, err) < 0) {
                iscsi_pool_free(p);
                return -1;
        }
        IscsiTarget t;
        iscsi_direct_target(p, &t);
        int r = iscsi_conn_new(storage_event(p), &t, 64 * 1024, on_pool_io, p, &ip->conn);
        if (r < 0) {
                iscsi_pool_free(p);
                return vb_error_errno(err, r, "iSCSI session");
        }
        IscsiReq req = { .op = ISCSI_SCAN };   /* logs in first */
        iscsi_conn_submit(ip->conn, &req);
        return VERB_PENDING;
}

int iscsi_direct_pool_refresh(StoragePool *p, Call *call, VbError *err) {
        IscsiPool *ip = p->driver_data;
        if (!ip)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "pool '%s' has no session", p->obj.name);
        IscsiReq req = { .op = ISCSI_SCAN };
        iscsi_conn_submit(ip->conn, &req);
        return VERB_PENDING;
}

int iscsi_direct_pool_stop(StoragePool *p, Call *call, VbError *err) {
        IscsiPool *ip = p->driver_data;
        if (!ip)
                return 0;
        ip->stopping = true;
        IscsiReq req = { .op = ISCSI_LOGOUT };
        iscsi_conn_submit(ip->conn, &req);
        return VERB_PENDING;
}

void iscsi_direct_pool_shutdown(StoragePool *p) {
        IscsiPool *ip = p->driver_data;
        if (!ip)
                return;
        iscsi_conn_close(ip->conn);
        ip->conn = NULL;
        iscsi_pool_free(p);
        log_info("pool %s: logged out at shutdown", p->obj.name);
}

int iscsi_direct_network_source(StorageVol *v, DomainDiskNet *net, VbError *err) {
        const IscsiLun *lun = iscsi_direct_vol_lun(v);
        PoolIscsiSourceView src;
        pool_def_get_iscsi_source(v->pool->def, &src);
        if (!lun || !src.host || !src.device || !src.initiator_iqn)
                return vb_error_set(err, VB_ERR_NO_STORAGE_VOL, VB_FROM_STORAGE,
                                    "no storage vol with matching name '%s'", v->obj.name);
        net->protocol = strdup("iscsi");
        net->host = strdup(src.host);
        net->port = src.port > 0 ? (unsigned) src.port : ISCSI_DEFAULT_PORT;
        net->target = strdup(src.device);
        net->lun = lun->lun;
        net->initiator = strdup(src.initiator_iqn);
        if (!net->protocol || !net->host || !net->target || !net->initiator)
                return vb_error_errno(err, -ENOMEM, "disk source");
        return 0;
}
