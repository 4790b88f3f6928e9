/* network-floor.c: guest NICs' inbound floors on a network with inbound QoS (NetworkOps.floor_plug/unplug): the reservations in /run/virtbus/network/NAME.floors, a class per NIC on the bridge (lib/tc-tree.c). */
#define LOG_MODULE "network"
#include "network-floor-priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netlink.h"
#include "network-driver-priv.h"
#include "network-port.h"
#include "network-qos-host.h"
#include "persist.h"
#include "tc-tree.h"
#include "uuid.h"

#define FLOORS_MAX (TC_TREE_CLASS_MAX - TC_TREE_CLASS_MIN + 1)
#define FLOORS_FILE_MAX (64 * 1024)

/* One NIC's reservation: known by its tap, since two NICs may share a MAC (each a port of its own,
 * as libvirt's); "" in a record of an older daemon, known by its MAC then. */
typedef struct Floor {
        unsigned id;
        uint8_t mac[6];
        uint64_t floor;
        char tap[16];
} Floor;

typedef struct Floors {
        Floor f[FLOORS_MAX];
        size_t n;
        uint64_t sum;
} Floors;

static int floors_name(Network *n, char *buf, size_t len) {
        return snprintf(buf, len, "%s.floors", n->obj.name) >= (int) len ? -1 : 0;
}

/* NAME.floors: "floor-sum S" then "class ID MAC FLOOR TAP" per NIC (an older daemon's lines end
 * at FLOOR); missing: none. */
static void floors_load(Network *n, Floors *fl) {
        *fl = (Floors) { 0 };
        char fn[300], *text = NULL;
        size_t len;
        if (floors_name(n, fn, sizeof fn) < 0 ||
            persist_read(net_driver_of(n)->run_dir, fn, FLOORS_FILE_MAX, &text, &len, NULL) < 0)
                return;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line && fl->n < FLOORS_MAX; line = strtok_r(NULL, "\n", &save)) {
                Floor *f = &fl->f[fl->n];
                char mac[18];
                f->tap[0] = '\0';
                if (sscanf(line, "class %u %17s %" SCNu64 " %15s", &f->id, mac, &f->floor, f->tap) >= 3 &&
                    mac_parse(mac, f->mac) == 0 && f->id >= TC_TREE_CLASS_MIN && f->id <= TC_TREE_CLASS_MAX) {
                        fl->sum += f->floor;
                        fl->n++;
                }
        }
        free(text);
}

static int floors_save(Network *n, const Floors *fl, VbError *err) {
        char fn[300], text[64 + FLOORS_MAX * 96];    /* a line: at most 6+3+1+17+1+20+1+15+1 */
        size_t off = (size_t) snprintf(text, sizeof text, "floor-sum %" PRIu64 "\n", fl->sum);
        for (size_t i = 0; i < fl->n; i++) {
                char mac[18];
                mac_format(fl->f[i].mac, mac);
                off += (size_t) snprintf(text + off, sizeof text - off, "class %u %s %" PRIu64 "%s%s\n", fl->f[i].id,
                                         mac, fl->f[i].floor, fl->f[i].tap[0] ? " " : "", fl->f[i].tap);
        }
        if (floors_name(n, fn, sizeof fn) < 0)
                return vb_error_errno(err, -ENAMETOOLONG, "network file name");
        return persist_write_runtime(net_driver_of(n)->run_dir, fn, text, off, err) < 0 ? -1 : 0;
}

/* The reservation of the NIC with mac and tap: the tap's, or one of mac that names no tap (an older
 * daemon's record, or a caller that knows no tap). */
static Floor *floors_find(Floors *fl, const uint8_t mac[6], const char *tap) {
        for (size_t i = 0; i < fl->n; i++)
                if (memcmp(fl->f[i].mac, mac, 6) == 0 &&
                    (!tap || !tap[0] || !fl->f[i].tap[0] || strcmp(fl->f[i].tap, tap) == 0))
                        return &fl->f[i];
        return NULL;
}

static void floor_set_tap(Floor *f, const char *tap) {
        snprintf(f->tap, sizeof f->tap, "%s", tap && strlen(tap) < sizeof f->tap ? tap : "");
}

/* A new entry for mac and tap with the lowest free class id, or NULL when none is left. */
static Floor *floors_add(Floors *fl, const uint8_t mac[6], const char *tap) {
        unsigned id = TC_TREE_CLASS_MIN;
        for (size_t i = 0; i < fl->n; i++)
                if (fl->f[i].id == id) {
                        id++;
                        i = (size_t) -1;        /* again from the start: ids are not sorted */
                }
        if (fl->n >= FLOORS_MAX || id > TC_TREE_CLASS_MAX)
                return NULL;
        Floor *f = &fl->f[fl->n++];
        *f = (Floor) { .id = id };
        memcpy(f->mac, mac, 6);
        floor_set_tap(f, tap);
        return f;
}

/* What the floors may take: the network's inbound peak, or without one its average (libvirt 9.0). */
static uint64_t floors_room(const DomainBandwidthRate *in) {
        return in->peak ? in->peak : in->average;
}

/* f's class: guaranteed its floor, allowed up to the network's peak (or average). */
static int class_plug(const NetworkDef *live, const DomainBandwidthRate *in, const Floor *f, VbError *err) {
        TcRate t = { .rate = f->floor * 1000u, .ceil = floors_room(in) * 1000u };
        return tc_tree_plug(live->bridge, f->id, f->mac, &t, err);
}

/* The traffic without a floor (class 1:2) gets the room less the floors (at least 1 kB/s), as
 * libvirt's: at the network's start (no floors) its peak. */
static int default_class(const NetworkDef *live, const DomainBandwidthRate *in, uint64_t sum, VbError *err) {
        DomainBandwidthRate rest = *in;
        rest.average = floors_room(in) > sum ? floors_room(in) - sum : 1;
        TcRate t;
        network_qos_tc_rate(&rest, true, &t);
        return tc_tree_set_default(live->bridge, &t, err);
}

int net_floor_plug(Network *n, const uint8_t mac[6], const char *tap, uint64_t floor, VbError *err) {
        const DomainBandwidthRate *in, *out;
        network_def_bandwidth(n->live, &in, &out);
        char m[18];
        mac_format(mac, m);
        if (!in->set || !in->average || !n->live->bridge)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "Invalid use of 'floor' on interface with MAC address %s - network '%s' has no "
                                    "inbound QoS set", m, n->obj.name);
        Floors fl;
        floors_load(n, &fl);
        Floor *old = floors_find(&fl, mac, tap);
        uint64_t sum = fl.sum - (old ? old->floor : 0) + floor;
        if (in->peak && sum > in->peak)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "Cannot plug '%s' interface into '%s' because new combined inbound floor=%" PRIu64
                                    " would overcommit peak=%" PRIu64 " on network '%s'",
                                    m, n->live->bridge, sum, in->peak, n->obj.name);
        /* between the average and the peak is allowed when there is a peak (libvirt 9.0) */
        if (!in->peak && sum > in->average)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "Cannot plug '%s' interface into '%s' because new combined inbound floor=%" PRIu64
                                    " would overcommit average=%" PRIu64 " on network '%s'",
                                    m, n->live->bridge, sum, in->average, n->obj.name);
        Floor *f = old ? old : floors_add(&fl, mac, tap);
        if (!f)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK,
                                    "network '%s' has no free class for another floor (at most %u)", n->obj.name,
                                    FLOORS_MAX);
        uint64_t was = f->floor;
        f->floor = floor;
        if (!f->tap[0])
                floor_set_tap(f, tap);   /* an older daemon's record: the NIC's from now on */
        fl.sum = sum;
        if (class_plug(n->live, in, f, err) < 0)
                return -1;
        if (default_class(n->live, in, sum, err) < 0 || floors_save(n, &fl, err) < 0) {
                /* as it was: a new class goes, a changed one gets its old floor back */
                if (old) {
                        f->floor = was;
                        class_plug(n->live, in, f, NULL);
                        default_class(n->live, in, sum - floor + was, NULL);
                } else {
                        tc_tree_unplug(n->live->bridge, f->id, NULL);
                }
                return -1;
        }
        log_info("network %s: interface %s (%s) guaranteed %" PRIu64 " kB/s (class 1:%u), floors %" PRIu64
                 " of %" PRIu64, n->obj.name, m, f->tap, floor, f->id, sum, in->average);
        return 0;
}

void net_floor_unplug(Network *n, const uint8_t mac[6], const char *tap) {
        Floors fl;
        floors_load(n, &fl);
        Floor *f = floors_find(&fl, mac, tap);
        if (!f || !n->live || !n->live->bridge)
                return;
        VbError e = { 0 };
        tc_tree_unplug(n->live->bridge, f->id, NULL);
        fl.sum -= f->floor;
        *f = fl.f[--fl.n];
        const DomainBandwidthRate *in, *out;
        network_def_bandwidth(n->live, &in, &out);
        if ((in->set && default_class(n->live, in, fl.sum, &e) < 0) || floors_save(n, &fl, &e) < 0)
                log_warning("network %s: %s", n->obj.name, e.message);
        vb_error_clear(&e);
}

void net_floors_forget(Network *n) {
        char fn[300];
        if (floors_name(n, fn, sizeof fn) == 0)
                persist_remove(net_driver_of(n)->run_dir, fn, NULL);
}

/* Is tap enslaved to bridge (a NIC whose floor can be served on it)? */
static bool on_bridge(const char *tap, const char *bridge) {
        char master[16];
        return tap && netlink_link_get_master(tap, master, NULL) == 0 && strcmp(master, bridge) == 0;
}

void net_floors_reconcile(Network *n) {
        const DomainBandwidthRate *in, *out;
        Floors was, fl = { 0 };
        floors_load(n, &was);
        if (!n->live || !n->live->bridge)
                return;
        network_def_bandwidth(n->live, &in, &out);
        NetworkFloorUse use[FLOORS_MAX];
        bool qos = in->set && in->average;
        size_t k = qos ? network_port_floors(n, use, FLOORS_MAX) : 0;
        if (!qos && !was.n)
                return;
        /* the running guests' NICs whose taps are on the bridge: their recorded classes kept
         * first, then new ones, so that a new entry's id is never one a kept entry holds */
        bool on[FLOORS_MAX];
        for (size_t i = 0; i < k; i++)
                on[i] = on_bridge(use[i].tap, n->live->bridge);
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < k; i++) {
                        if (!on[i] || floors_find(&fl, use[i].mac, use[i].tap))
                                continue;
                        Floor *old = floors_find(&was, use[i].mac, use[i].tap), *f;
                        if (old) {
                                if (pass != 0)
                                        continue;
                                f = &fl.f[fl.n++];
                                *f = *old;
                                floor_set_tap(f, use[i].tap);
                                floor_set_tap(old, use[i].tap);  /* an older record: this NIC's, no other's */
                        } else if (pass != 1 || !(f = floors_add(&fl, use[i].mac, use[i].tap))) {
                                continue;
                        }
                        f->floor = use[i].floor;
                        fl.sum += f->floor;
                }
        /* the classes of no reservation go first (the ids of new entries may be theirs): the
         * recorded ones of gone guests, and any a start cut short left behind */
        unsigned keep[FLOORS_MAX];
        for (size_t i = 0; i < fl.n; i++)
                keep[i] = fl.f[i].id;
        VbError e = { 0 };
        tc_tree_unplug_others(n->live->bridge, keep, fl.n, &e);
        for (size_t i = 0; i < fl.n && !e.code; i++)
                class_plug(n->live, in, &fl.f[i], &e);
        if (!e.code && qos)
                default_class(n->live, in, fl.sum, &e);
        if (!e.code)
                floors_save(n, &fl, &e);
        if (e.code)
                log_warning("network %s: the floors of its running guests: %s", n->obj.name, e.message);
        else if (fl.sum != was.sum || fl.n != was.n)
                log_warning("network %s: floors %" PRIu64 " in %zu class(es) by its running guests, not %" PRIu64
                            " in %zu as recorded", n->obj.name, fl.sum, fl.n, was.sum, was.n);
        if (qos && fl.sum > floors_room(in))
                log_warning("network %s: its running guests' floors (%" PRIu64 ") overcommit its %s %" PRIu64,
                            n->obj.name, fl.sum, in->peak ? "peak" : "average", floors_room(in));
        vb_error_clear(&e);
}
