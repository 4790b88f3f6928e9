/* domain-disk-iotune.c: a disk's <iotune> (libvirt's I/O throttling: bytes and operations per second, their bursts and burst lengths, the I/O size and the throttle group), in libvirt's element order; values of 0 are not written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

#define IOTUNE_GROUP_NAME_MAX 128u

static const char *const iotune_names[DISK_IOTUNE_N] = {
        "total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
        "total_iops_sec", "read_iops_sec", "write_iops_sec",
        "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
        "total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max",
        "size_iops_sec",
        "total_bytes_sec_max_length", "read_bytes_sec_max_length", "write_bytes_sec_max_length",
        "total_iops_sec_max_length", "read_iops_sec_max_length", "write_iops_sec_max_length",
};

const char *domain_disk_iotune_name(unsigned i) {
        return i < DISK_IOTUNE_N ? iotune_names[i] : NULL;
}

bool domain_disk_iotune_is_set(const DomainDiskIotune *t) {
        for (unsigned i = 0; i < DISK_IOTUNE_N; i++)
                if (t->v[i])
                        return true;
        return t->group_name != NULL;
}

int domain_disk_iotune_parse(xmlNodePtr disk_node, DomainDisk *disk, VbError *err) {
        xmlNodePtr io = xml_node_child(disk_node, "iotune");
        if (!io)
                return 0;
        DomainDiskIotune *t = &disk->iotune;
        for (unsigned i = 0; i < DISK_IOTUNE_N; i++) {
                char *s = xml_strip(xml_child_text(io, iotune_names[i]));
                if (!s)
                        continue;
                int r = xml_parse_u64(s, &t->v[i]);
                free(s);
                if (r < 0)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "disk iotune field '%s' must be an integer", iotune_names[i]);
        }
        char *g = xml_strip(xml_child_text(io, "group_name"));
        if (g && (!*g || strlen(g) > IOTUNE_GROUP_NAME_MAX)) {
                free(g);
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                    "disk iotune group_name must be 1 to %u characters", IOTUNE_GROUP_NAME_MAX);
        }
        t->group_name = g;
        return 0;
}

void domain_disk_iotune_format(XmlBuf *b, const DomainDisk *disk) {
        const DomainDiskIotune *t = &disk->iotune;
        if (!domain_disk_iotune_is_set(t))
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        for (unsigned i = 0; i < DISK_IOTUNE_N; i++) {
                if (i == DISK_IOTUNE_LENGTH_BASE)
                        xml_buf_text_element(&c, "group_name", t->group_name);
                char num[24];
                snprintf(num, sizeof num, "%llu", (unsigned long long) t->v[i]);
                if (t->v[i])
                        xml_buf_text_element(&c, iotune_names[i], num);
        }
        xml_buf_open(b, "iotune");
        xml_buf_close(b, "iotune", &c, true);
}
