/* events.c: a client's event callbacks (registration procedures) and core notices turned into MESSAGE packets. */
#define LOG_MODULE "remote"
#include "dispatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "log.h"
#include "network.h"
#include "nodedev.h"
#include "secret.h"
#include "storage.h"

/* Event ids (virDomainEventID, virNetworkEventID, virStoragePoolEventID, virNodeDeviceEventID) in libvirt 9.0. */
enum {
        DOMAIN_EVENT_ID_LIFECYCLE = 0,
        DOMAIN_EVENT_ID_REBOOT = 1,
        DOMAIN_EVENT_ID_METADATA_CHANGE = 23,
        DOMAIN_EVENT_ID_DEVICE_REMOVED = 15,
        DOMAIN_EVENT_ID_DEVICE_ADDED = 19,
        DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED = 22,
        DOMAIN_EVENT_ID_AGENT_LIFECYCLE = 18,
        DOMAIN_EVENT_ID_BLOCK_JOB = 8,
        DOMAIN_EVENT_ID_BLOCK_JOB_2 = 16,
        DOMAIN_EVENT_ID_BLOCK_THRESHOLD = 24,
        DOMAIN_EVENT_ID_PMWAKEUP = 11,
        DOMAIN_EVENT_ID_PMSUSPEND = 12,
        DOMAIN_EVENT_ID_LAST = 27,
        NETWORK_EVENT_ID_LIFECYCLE = 0,
        NETWORK_EVENT_ID_LAST = 1,
        POOL_EVENT_ID_LIFECYCLE = 0,
        POOL_EVENT_ID_REFRESH = 1,
        POOL_EVENT_ID_LAST = 2,
        SECRET_EVENT_ID_LIFECYCLE = 0,
        SECRET_EVENT_ID_VALUE_CHANGED = 1,
        SECRET_EVENT_ID_LAST = 2,
        NODEDEV_EVENT_ID_LIFECYCLE = 0,
        NODEDEV_EVENT_ID_UPDATE = 1,
        NODEDEV_EVENT_ID_LAST = 2,
};

/* MESSAGE procedures. */
enum {
        PROC_DOMAIN_EVENT_LIFECYCLE = 107,
        PROC_DOMAIN_EVENT_REBOOT = 169,
        PROC_NETWORK_EVENT_LIFECYCLE = 315,
        PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE = 318,
        PROC_DOMAIN_EVENT_CALLBACK_REBOOT = 319,
        PROC_DOMAIN_EVENT_PMWAKEUP = 269,
        PROC_DOMAIN_EVENT_PMSUSPEND = 270,
        PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP = 329,
        PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND = 330,
        PROC_POOL_EVENT_LIFECYCLE = 370,
        PROC_POOL_EVENT_REFRESH = 373,
        PROC_DOMAIN_EVENT_CALLBACK_METADATA_CHANGE = 379,
        PROC_SECRET_EVENT_LIFECYCLE = 382,
        PROC_SECRET_EVENT_VALUE_CHANGED = 383,
        PROC_DOMAIN_EVENT_DEVICE_REMOVED = 311,
        PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED = 333,
        PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE = 348,
        PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED = 354,
        PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED = 367,
        PROC_DOMAIN_EVENT_BLOCK_JOB = 241,
        PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB = 326,
        PROC_DOMAIN_EVENT_BLOCK_JOB_2 = 339,
        PROC_NODE_DEVICE_EVENT_LIFECYCLE = 376,
        PROC_DOMAIN_EVENT_BLOCK_THRESHOLD = 385,
};

typedef enum SubKind { SUB_DOMAIN, SUB_NETWORK, SUB_POOL, SUB_SECRET, SUB_NODEDEV } SubKind;

typedef struct EventSub {
        SubKind kind;
        int event_id;
        int callback_id;
        bool legacy;            /* 105/167: messages without a callback id */
        bool filtered;          /* only the object with this UUID */
        uint8_t uuid[16];
        char name[NODEDEV_NAME_MAX];    /* SUB_NODEDEV: only the device of this name */
} EventSub;

struct RemoteEventSubs {
        EventSub *v;
        size_t n, cap;
};

void remote_event_subs_free(RemoteEventSubs *subs) {
        if (!subs)
                return;
        free(subs->v);
        free(subs);
}

void remote_events_drop_all(RemoteClient *c) {
        remote_event_subs_free(c->subs);
        c->subs = NULL;
}

static const char *const kind_words[] = {
        [SUB_DOMAIN] = "domain", [SUB_NETWORK] = "network", [SUB_POOL] = "storage pool", [SUB_SECRET] = "secret",
        [SUB_NODEDEV] = "node device",
};

static EventSub *sub_add(RemoteCall *rc, SubKind kind, int event_id, bool legacy) {
        RemoteClient *c = rc->client;
        if (!c->subs) {
                c->subs = calloc(1, sizeof *c->subs);
                if (!c->subs) {
                        vb_error_errno(&rc->err, -ENOMEM, "event callback");
                        return NULL;
                }
        }
        RemoteEventSubs *s = c->subs;
        if (s->n >= REMOTE_EVENT_CALLBACKS_MAX) {
                vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                             "too many event callbacks (%u)", REMOTE_EVENT_CALLBACKS_MAX);
                return NULL;
        }
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 8;
                EventSub *v = realloc(s->v, cap * sizeof *v);
                if (!v) {
                        vb_error_errno(&rc->err, -ENOMEM, "event callback");
                        return NULL;
                }
                s->v = v;
                s->cap = cap;
        }
        EventSub *e = &s->v[s->n++];
        /* libvirt's callback ids come from one counter shared by every connection and kind;
         * legacy registrations use one up too, although it never goes on the wire */
        *e = (EventSub) { .kind = kind, .event_id = event_id, .legacy = legacy,
                          .callback_id = remote_server_next_callback_id(c->server) };
        return e;
}

static void sub_remove(RemoteEventSubs *s, size_t i) {
        memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof s->v[0]);
        s->n--;
}

/* ------------------------------------------------------------------ callback registrations */

/* {int eventID; remote_<kind> filter} → {int callbackID} */
static int register_any(RemoteCall *rc, SubKind kind, int last) {
        RemoteRef ref = { 0 };
        int32_t event_id;
        bool filtered = false;
        char *devname = NULL;
        size_t len = 0;
        xdr_get_i32(&rc->args, &event_id);
        xdr_get_present(&rc->args, &filtered);
        if (filtered) {
                if (kind == SUB_NODEDEV)        /* remote_nonnull_node_device: name */
                        xdr_get_string(&rc->args, NODEDEV_NAME_MAX - 1, &devname, &len);
                else if (kind == SUB_DOMAIN)
                        remote_get_domain_ref(rc, &ref);
                else if (kind == SUB_SECRET) {  /* remote_nonnull_secret: uuid, usageType, usageID */
                        int32_t usage_type;
                        xdr_get_fixed(&rc->args, ref.uuid, 16);
                        xdr_get_i32(&rc->args, &usage_type);
                        xdr_skip_string(&rc->args, REMOTE_STRING_MAX);
                } else
                        remote_get_network_ref(rc, &ref);       /* networks and pools: name, uuid */
        }
        if (remote_args_end(rc) < 0) {
                free(devname);
                return -1;
        }
        if (event_id < 0 || event_id >= last) {
                free(devname);
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    kind == SUB_DOMAIN ? "unsupported event ID %d"
                                    : kind == SUB_NETWORK ? "unsupported network event ID %d"
                                    : kind == SUB_SECRET ? "unsupported secret event ID %d"
                                    : kind == SUB_NODEDEV ? "unsupported node device event ID %d"
                                                          : "unsupported storage pool event ID %d", event_id);
        }
        EventSub *e = sub_add(rc, kind, event_id, false);
        if (!e) {
                free(devname);
                return -1;
        }
        e->filtered = filtered;
        memcpy(e->uuid, ref.uuid, sizeof e->uuid);
        if (devname)
                snprintf(e->name, sizeof e->name, "%s", devname);
        free(devname);
        return remote_reply_int(rc, e->callback_id);
}

/* {int callbackID} */
static int deregister_any(RemoteCall *rc, SubKind kind) {
        int32_t id;
        xdr_get_i32(&rc->args, &id);
        if (remote_args_end(rc) < 0)
                return -1;
        RemoteEventSubs *s = rc->client->subs;
        for (size_t i = 0; s && i < s->n; i++)
                if (s->v[i].kind == kind && !s->v[i].legacy && s->v[i].callback_id == id) {
                        sub_remove(s, i);
                        return 0;
                }
        return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                            "%s event callback %d not registered", kind_words[kind], id);
}

REMOTE_HANDLER(proc_connect_domain_event_callback_register_any) {
        return register_any(rc, SUB_DOMAIN, DOMAIN_EVENT_ID_LAST);
}

REMOTE_HANDLER(proc_connect_domain_event_callback_deregister_any) {
        return deregister_any(rc, SUB_DOMAIN);
}

REMOTE_HANDLER(proc_connect_network_event_register_any) {
        return register_any(rc, SUB_NETWORK, NETWORK_EVENT_ID_LAST);
}

REMOTE_HANDLER(proc_connect_network_event_deregister_any) {
        return deregister_any(rc, SUB_NETWORK);
}

REMOTE_HANDLER(proc_connect_storage_pool_event_register_any) {
        return register_any(rc, SUB_POOL, POOL_EVENT_ID_LAST);
}

REMOTE_HANDLER(proc_connect_storage_pool_event_deregister_any) {
        return deregister_any(rc, SUB_POOL);
}

REMOTE_HANDLER(proc_connect_secret_event_register_any) {
        return register_any(rc, SUB_SECRET, SECRET_EVENT_ID_LAST);
}

REMOTE_HANDLER(proc_connect_secret_event_deregister_any) {
        return deregister_any(rc, SUB_SECRET);
}

REMOTE_HANDLER(proc_connect_node_device_event_register_any) {
        return register_any(rc, SUB_NODEDEV, NODEDEV_EVENT_ID_LAST);
}

REMOTE_HANDLER(proc_connect_node_device_event_deregister_any) {
        return deregister_any(rc, SUB_NODEDEV);
}

/* ------------------------------------------------------------------ legacy registrations */

static EventSub *find_legacy(RemoteEventSubs *s, int event_id, size_t *index) {
        for (size_t i = 0; s && i < s->n; i++)
                if (s->v[i].legacy && s->v[i].event_id == event_id) {
                        if (index)
                                *index = i;
                        return &s->v[i];
                }
        return NULL;
}

static int legacy_register(RemoteCall *rc, int32_t event_id) {
        if (event_id < 0 || event_id >= DOMAIN_EVENT_ID_LAST)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    "unsupported event ID %d", event_id);
        if (find_legacy(rc->client->subs, event_id, NULL))
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    "domain event %d already registered", event_id);
        return sub_add(rc, SUB_DOMAIN, event_id, true) ? 0 : -1;
}

static int legacy_deregister(RemoteCall *rc, int32_t event_id) {
        size_t i;
        if (event_id < 0 || event_id >= DOMAIN_EVENT_ID_LAST)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    "unsupported event ID %d", event_id);
        if (!find_legacy(rc->client->subs, event_id, &i))
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    "domain event %d not registered", event_id);
        sub_remove(rc->client->subs, i);
        return 0;
}

/* void → {int cb_registered} */
REMOTE_HANDLER(proc_connect_domain_event_register) {
        if (legacy_register(rc, DOMAIN_EVENT_ID_LIFECYCLE) < 0)
                return -1;
        return remote_reply_int(rc, 1);
}

REMOTE_HANDLER(proc_connect_domain_event_deregister) {
        if (legacy_deregister(rc, DOMAIN_EVENT_ID_LIFECYCLE) < 0)
                return -1;
        return remote_reply_int(rc, 0);
}

/* {int eventID} → void */
REMOTE_HANDLER(proc_connect_domain_event_register_any) {
        int32_t event_id;
        xdr_get_i32(&rc->args, &event_id);
        if (remote_args_end(rc) < 0)
                return -1;
        return legacy_register(rc, event_id);
}

REMOTE_HANDLER(proc_connect_domain_event_deregister_any) {
        int32_t event_id;
        xdr_get_i32(&rc->args, &event_id);
        if (remote_args_end(rc) < 0)
                return -1;
        return legacy_deregister(rc, event_id);
}

/* ------------------------------------------------------------------ delivery */

static bool begin_message(XdrWriter *w, int proc) {
        /* libvirtd sends events with serial 1 (the .x file says 0; clients ignore it) */
        PacketHeader h = { .prog = REMOTE_PROGRAM, .vers = REMOTE_PROTOCOL_VERSION, .proc = proc,
                           .type = MSG_MESSAGE, .serial = 1, .status = MSG_STATUS_OK };
        return packet_begin(w, &h) == 0;
}

static void send_message(RemoteClient *c, XdrWriter *w) {
        uint8_t *packet = NULL;
        size_t len = 0;
        if (packet_end(w, &packet, &len) < 0) {
                log_warning("client %p: event message could not be built", (void *) c);
                return;
        }
        remote_send(c, packet, len);
}

static void put_object(XdrWriter *w, const Object *o) {
        switch (o->kind) {
        case OBJECT_DOMAIN: remote_put_domain(w, (const Domain *) o); break;
        case OBJECT_NETWORK: remote_put_network(w, (const Network *) o); break;
        case OBJECT_POOL: remote_put_pool(w, (const StoragePool *) o); break;
        case OBJECT_SECRET: remote_put_secret(w, (const Secret *) o); break;
        case OBJECT_NODEDEV: xdr_put_string(w, o->name); break;     /* remote_nonnull_node_device */
        default: break;
        }
}

/* Which message a subscription gets for a notice; 0 for none. */
static int message_proc(const EventSub *e, const Notice *n) {
        switch (n->type) {
        case NOTICE_LIFECYCLE:
                if (e->event_id != 0)
                        return 0;
                if (e->kind == SUB_DOMAIN && n->obj->kind == OBJECT_DOMAIN)
                        return e->legacy ? PROC_DOMAIN_EVENT_LIFECYCLE : PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE;
                if (e->kind == SUB_NETWORK && n->obj->kind == OBJECT_NETWORK)
                        return PROC_NETWORK_EVENT_LIFECYCLE;
                if (e->kind == SUB_POOL && n->obj->kind == OBJECT_POOL)
                        return PROC_POOL_EVENT_LIFECYCLE;
                if (e->kind == SUB_SECRET && n->obj->kind == OBJECT_SECRET)
                        return PROC_SECRET_EVENT_LIFECYCLE;
                if (e->kind == SUB_NODEDEV && n->obj->kind == OBJECT_NODEDEV)
                        return PROC_NODE_DEVICE_EVENT_LIFECYCLE;
                return 0;
        case NOTICE_SECRET_VALUE:
                if (e->kind != SUB_SECRET || e->event_id != SECRET_EVENT_ID_VALUE_CHANGED)
                        return 0;
                return PROC_SECRET_EVENT_VALUE_CHANGED;
        case NOTICE_REBOOT:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_REBOOT)
                        return 0;
                return e->legacy ? PROC_DOMAIN_EVENT_REBOOT : PROC_DOMAIN_EVENT_CALLBACK_REBOOT;
        case NOTICE_METADATA:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_METADATA_CHANGE || e->legacy)
                        return 0;
                return PROC_DOMAIN_EVENT_CALLBACK_METADATA_CHANGE;
        case NOTICE_DEVICE_REMOVED:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_DEVICE_REMOVED)
                        return 0;
                return e->legacy ? PROC_DOMAIN_EVENT_DEVICE_REMOVED : PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED;
        case NOTICE_DEVICE_ADDED:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_DEVICE_ADDED || e->legacy)
                        return 0;
                return PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED;
        case NOTICE_DEVICE_REMOVAL_FAILED:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED || e->legacy)
                        return 0;
                return PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED;
        case NOTICE_AGENT_LIFECYCLE:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_AGENT_LIFECYCLE || e->legacy)
                        return 0;
                return PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE;
        case NOTICE_POOL_REFRESH:
                if (e->kind != SUB_POOL || e->event_id != POOL_EVENT_ID_REFRESH)
                        return 0;
                return PROC_POOL_EVENT_REFRESH;
        case NOTICE_BLOCK_JOB:
                if (e->kind != SUB_DOMAIN)
                        return 0;
                if (e->event_id == DOMAIN_EVENT_ID_BLOCK_JOB)
                        return e->legacy ? PROC_DOMAIN_EVENT_BLOCK_JOB : PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB;
                if (e->event_id == DOMAIN_EVENT_ID_BLOCK_JOB_2 && !e->legacy)
                        return PROC_DOMAIN_EVENT_BLOCK_JOB_2;
                return 0;
        case NOTICE_PM_SUSPEND:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_PMSUSPEND)
                        return 0;
                return e->legacy ? PROC_DOMAIN_EVENT_PMSUSPEND : PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND;
        case NOTICE_PM_WAKEUP:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_PMWAKEUP)
                        return 0;
                return e->legacy ? PROC_DOMAIN_EVENT_PMWAKEUP : PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP;
        case NOTICE_BLOCK_THRESHOLD:
                if (e->kind != SUB_DOMAIN || e->event_id != DOMAIN_EVENT_ID_BLOCK_THRESHOLD || e->legacy)
                        return 0;
                return PROC_DOMAIN_EVENT_BLOCK_THRESHOLD;
        default:
                return 0;
        }
}

static void deliver_one(RemoteClient *c, const EventSub *e, const Notice *n, int proc) {
        XdrWriter w;
        if (!begin_message(&w, proc)) {
                xdr_writer_done(&w);
                return;
        }
        if (!e->legacy)
                xdr_put_i32(&w, e->callback_id);
        if (proc == PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP || proc == PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND)
                xdr_put_i32(&w, n->detail);     /* {callbackID; reason; dom}: the reason comes first */
        put_object(&w, n->obj);
        switch (proc) {
        case PROC_DOMAIN_EVENT_LIFECYCLE:
        case PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE:
        case PROC_NETWORK_EVENT_LIFECYCLE:
        case PROC_POOL_EVENT_LIFECYCLE:
        case PROC_SECRET_EVENT_LIFECYCLE:
        case PROC_NODE_DEVICE_EVENT_LIFECYCLE:
                xdr_put_i32(&w, n->event);
                xdr_put_i32(&w, n->detail);
                break;
        case PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE:       /* {int state; int reason} */
                xdr_put_i32(&w, n->event);
                xdr_put_i32(&w, n->detail);
                break;
        case PROC_DOMAIN_EVENT_CALLBACK_METADATA_CHANGE:
                xdr_put_i32(&w, n->event);
                xdr_put_opt_string(&w, n->text);
                break;
        case PROC_DOMAIN_EVENT_DEVICE_REMOVED:
        case PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED:
        case PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED:
        case PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED:
                xdr_put_string(&w, n->text ? n->text : "");
                break;
        case PROC_DOMAIN_EVENT_BLOCK_JOB:       /* {dom; path; int type; int status} */
        case PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB:
        case PROC_DOMAIN_EVENT_BLOCK_JOB_2:     /* {dom; dst; int type; int status} */
                xdr_put_string(&w, proc == PROC_DOMAIN_EVENT_BLOCK_JOB_2 ? (n->text ? n->text : "") : (n->path ? n->path : ""));
                xdr_put_i32(&w, n->event);
                xdr_put_i32(&w, n->detail);
                break;
        case PROC_DOMAIN_EVENT_BLOCK_THRESHOLD: /* {dev; remote_string path; uhyper threshold; uhyper excess} */
                xdr_put_string(&w, n->text ? n->text : "");
                xdr_put_opt_string(&w, n->path);
                xdr_put_u64(&w, n->threshold);
                xdr_put_u64(&w, n->excess);
                break;
        default:
                break;
        }
        send_message(c, &w);
}

void remote_events_deliver(RemoteClient *c, const Notice *n) {
        if (!c->subs || !c->conn || !n->obj || n->obj->conn != c->conn || c->closing)
                return;
        /* a send may drop the client; keep it until the loop is done */
        remote_client_ref(c);
        for (size_t i = 0; c->subs && i < c->subs->n; i++) {
                const EventSub *e = &c->subs->v[i];
                if (e->filtered && (e->kind == SUB_NODEDEV ? strcmp(e->name, n->obj->name ? n->obj->name : "") != 0
                                                           : memcmp(e->uuid, n->obj->uuid, sizeof e->uuid) != 0))
                        continue;
                int proc = message_proc(e, n);
                if (proc)
                        deliver_one(c, e, n, proc);
        }
        remote_client_unref(c);
}
