/* logical-sources.c: FindStoragePoolSources for logical pools: pvs lists the physical volumes,
 * grouped by volume group into libvirt's <sources> XML (a PV in no group is left out). */
#define LOG_MODULE "storage"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logical.h"
#include "lvm-run.h"

static void put_escaped(FILE *f, const char *s) {
        for (; *s; s++) {
                switch (*s) {
                case '&': fputs("&amp;", f); break;
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '\'': fputs("&apos;", f); break;
                case '"': fputs("&quot;", f); break;
                default: fputc(*s, f);
                }
        }
}

/* <sources><source><device path='…'/>…<name>VG</name><format type='lvm2'/></source>…</sources> */
static char *format_sources(json_object *rows) {
        char *xml = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&xml, &len);
        if (!f)
                return NULL;
        fputs("<sources>\n", f);
        size_t n = rows ? json_object_array_length(rows) : 0;
        for (size_t i = 0; i < n; i++) {
                const char *vg = lvm_field(json_object_array_get_idx(rows, i), "vg_name");
                bool first = vg && vg[0];
                /* Each group once, where its first PV is listed. */
                for (size_t k = 0; k < i && first; k++) {
                        const char *other = lvm_field(json_object_array_get_idx(rows, k), "vg_name");
                        first = !other || strcmp(other, vg) != 0;
                }
                if (!first)
                        continue;
                fputs("  <source>\n", f);
                for (size_t k = i; k < n; k++) {
                        json_object *row = json_object_array_get_idx(rows, k);
                        const char *other = lvm_field(row, "vg_name"), *pv = lvm_field(row, "pv_name");
                        if (!other || !pv || strcmp(other, vg) != 0)
                                continue;
                        fputs("    <device path='", f);
                        put_escaped(f, pv);
                        fputs("'/>\n", f);
                }
                fputs("    <name>", f);
                put_escaped(f, vg);
                fputs("</name>\n    <format type='lvm2'/>\n  </source>\n", f);
        }
        fputs("</sources>\n", f);
        if (fclose(f) != 0) {
                free(xml);
                return NULL;
        }
        return xml;
}

static void on_pvs(void *userdata, int r, const VbError *err, const char *const outs[]) {
        Call *call = userdata;
        VbError e = { 0 };
        char *xml = NULL;
        if (r == 0) {
                json_object *doc;
                json_object *rows = lvm_report_rows(outs[0], "pv", &doc);
                xml = rows ? format_sources(rows) : NULL;
                json_object_put(doc);
                if (!xml) {
                        r = vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE,
                                         "cannot read the physical volumes from pvs");
                        err = &e;
                }
        }
        call_complete(call, r, r < 0 ? err : NULL, xml);
        free(xml);
        call_unref(call);
}

int logical_find_sources(sd_event *e, const char *spec, Call *call, VbError *err) {
        if (lvm_check_installed(err) < 0)
                return -1;
        LvmSeq *s = lvm_seq_new(e, on_pvs, call);
        if (s)
                lvm_seq_add(s, LVM_STEP_LVM, "pvs", "--reportformat", "json", "-o", "pv_name,vg_name", NULL);
        call_ref(call);
        if (lvm_seq_start(s, err) < 0) {
                call_unref(call);
                return -1;
        }
        return VERB_PENDING;
}
