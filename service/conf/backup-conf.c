/* backup-conf.c: <domainbackup> parse and format (mode, incremental, the pull mode's NBD server, disks with their target or scratch file, format and export). */
#include "backup-conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>

#include "xml-util.h"

#define BK_ERR(err, ...) vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, __VA_ARGS__)

BackupDef *backup_def_free(BackupDef *def) {
        if (!def)
                return NULL;
        free(def->mode);
        free(def->incremental);
        free(def->server_transport);
        free(def->server_name);
        free(def->server_socket);
        for (size_t i = 0; i < def->n_disks; i++) {
                free(def->disks[i].name);
                free(def->disks[i].target_file);
                free(def->disks[i].driver_type);
                free(def->disks[i].export_name);
                free(def->disks[i].export_bitmap);
        }
        free(def->disks);
        free(def);
        return NULL;
}

/* The export's name and bitmap: an NBD export name is at most 4096 bytes (NBD_MAX_STRING_SIZE). */
static int parse_export(xmlNodePtr n, BackupDiskDef *d, bool pull, VbError *err) {
        d->export_name = xml_node_prop(n, "exportname");
        d->export_bitmap = xml_node_prop(n, "exportbitmap");
        if (!pull && (d->export_name || d->export_bitmap))
                return BK_ERR(err, "exportname and exportbitmap of disk '%s' are for pull mode backups", d->name);
        if ((d->export_name && (!*d->export_name || strlen(d->export_name) > 4096)) ||
            (d->export_bitmap && (!*d->export_bitmap || strlen(d->export_bitmap) > 1023)))
                return BK_ERR(err, "invalid export name or bitmap of disk '%s'", d->name);
        return 0;
}

static int parse_disk(xmlNodePtr n, BackupDef *def, VbError *err) {
        if (def->n_disks >= BACKUP_DISKS_MAX)
                return BK_ERR(err, "too many disks in a backup (at most %u)", BACKUP_DISKS_MAX);
        BackupDiskDef *d = conf_array_add(&def->disks, &def->n_disks, sizeof *d);
        if (!d)
                return vb_error_errno(err, -ENOMEM, "backup disk");
        d->name = xml_node_prop(n, "name");
        if (!d->name || !*d->name)
                return BK_ERR(err, "missing name from disk backup element");
        char *backup = xml_node_prop(n, "backup"), *type = xml_node_prop(n, "type");
        int r = 0;
        if (backup && strcmp(backup, "yes") != 0 && strcmp(backup, "no") != 0)
                r = BK_ERR(err, "Invalid value for attribute 'backup' in element 'disk': '%s'.", backup);
        else if (type && strcmp(type, "file") != 0)
                r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "backup target of disk '%s': type '%s' (only 'file' is done)",
                                 d->name, type);
        d->skip = backup && strcmp(backup, "no") == 0;
        free(backup);
        free(type);
        xmlNodePtr target = xml_node_child(n, def->pull ? "scratch" : "target"), drv = xml_node_child(n, "driver");
        d->target_file = target ? xml_node_prop(target, "file") : NULL;
        d->driver_type = drv ? xml_node_prop(drv, "type") : NULL;
        if (r == 0)
                r = parse_export(n, d, def->pull, err);
        if (r == 0 && def->pull && d->driver_type && strcmp(d->driver_type, "qcow2") != 0)
                r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "scratch of disk '%s': format '%s' (qcow2 only)",
                                 d->name, d->driver_type);
        if (r == 0 && d->driver_type && strcmp(d->driver_type, "qcow2") != 0 && strcmp(d->driver_type, "raw") != 0)
                r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "backup target of disk '%s': format '%s' (qcow2 or raw)",
                                 d->name, d->driver_type);
        if (r == 0 && d->target_file && d->target_file[0] != '/')
                r = BK_ERR(err, "backup target of disk '%s' must be an absolute path: '%s'", d->name, d->target_file);
        return r;
}

/* <server transport='tcp' name='HOST' port='N'/> or <server transport='unix' socket='PATH'/>; a pull
 * backup without one listens on localhost, on a port the driver picks. */
static int parse_server(xmlNodePtr root, BackupDef *def, VbError *err) {
        xmlNodePtr srv = xml_node_child(root, "server");
        if (srv && !def->pull)
                return BK_ERR(err, "a <server> is for pull mode backups");
        if (!def->pull)
                return 0;
        def->server_transport = srv ? xml_node_prop(srv, "transport") : NULL;
        if (!def->server_transport && !(def->server_transport = strdup("tcp")))
                return vb_error_errno(err, -ENOMEM, "backup server");
        if (strcmp(def->server_transport, "tcp") == 0) {
                def->server_name = srv ? xml_node_prop(srv, "name") : NULL;
                if (!def->server_name && !(def->server_name = strdup("localhost")))
                        return vb_error_errno(err, -ENOMEM, "backup server");
                char *port = srv ? xml_node_prop(srv, "port") : NULL;
                char *end = NULL;
                unsigned long v = port ? strtoul(port, &end, 10) : 0;
                int r = port && (!*port || *end || v == 0 || v > 65535)
                                ? BK_ERR(err, "invalid port '%s' of the backup server", port)
                                : 0;
                free(port);
                def->server_port = (unsigned) v;
                return r;
        }
        if (strcmp(def->server_transport, "unix") == 0) {
                def->server_socket = xml_node_prop(srv, "socket");
                if (!def->server_socket || def->server_socket[0] != '/')
                        return BK_ERR(err, "the backup server's unix socket must be an absolute path");
                if (strlen(def->server_socket) >= 108)  /* sun_path */
                        return BK_ERR(err, "the backup server's unix socket path is too long");
                return 0;
        }
        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "transport '%s' of the backup server (tcp or unix)",
                            def->server_transport);
}

static int parse_root(xmlNodePtr root, BackupDef *def, VbError *err) {
        def->mode = xml_node_prop(root, "mode");
        if (def->mode && strcmp(def->mode, "push") != 0 && strcmp(def->mode, "pull") != 0)
                return BK_ERR(err, "Invalid value for attribute 'mode' in element 'domainbackup': '%s'.", def->mode);
        if (!def->mode && !(def->mode = strdup("push")))
                return vb_error_errno(err, -ENOMEM, "backup definition");
        def->pull = strcmp(def->mode, "pull") == 0;
        if (parse_server(root, def, err) < 0)
                return -1;
        def->incremental = xml_child_text(root, "incremental");
        if (def->incremental && !*xml_strip(def->incremental))
                return BK_ERR(err, "an incremental checkpoint name must not be empty");
        xmlNodePtr disks = xml_node_child(root, "disks");
        for (xmlNodePtr n = disks ? xml_node_child(disks, "disk") : NULL; n; n = xml_node_next_same(n))
                if (parse_disk(n, def, err) < 0)
                        return -1;
        return 0;
}

BackupDef *backup_def_parse(const char *xml, size_t len, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "domainbackup", "domain_backup", err);
        if (!doc)
                return NULL;
        BackupDef *def = calloc(1, sizeof *def);
        if (!def) {
                xmlFreeDoc(doc);
                vb_error_errno(err, -ENOMEM, "backup definition");
                return NULL;
        }
        int r = parse_root(xmlDocGetRootElement(doc), def, err);
        xmlFreeDoc(doc);
        return r < 0 ? backup_def_free(def) : def;
}

char *backup_def_format(const BackupDef *def) {
        XmlBuf b = XML_BUF_INIT;
        xml_buf_open(&b, "domainbackup");
        xml_buf_attr(&b, "mode", def->mode);
        XmlBuf c = XML_BUF_CHILD(&b);
        xml_buf_text_element(&c, "incremental", def->incremental);
        if (def->pull && def->server_transport) {
                xml_buf_open(&c, "server");
                xml_buf_attr(&c, "transport", def->server_transport);
                xml_buf_attr(&c, "name", def->server_name);
                if (def->server_port) {
                        char port[16];
                        snprintf(port, sizeof port, "%u", def->server_port);
                        xml_buf_attr(&c, "port", port);
                }
                xml_buf_attr(&c, "socket", def->server_socket);
                xml_buf_close(&c, "server", NULL, false);
        }
        if (def->n_disks > 0) {
                xml_buf_open(&c, "disks");
                XmlBuf d = XML_BUF_CHILD(&c);
                for (size_t i = 0; i < def->n_disks; i++) {
                        const BackupDiskDef *k = &def->disks[i];
                        xml_buf_open(&d, "disk");
                        xml_buf_attr(&d, "name", k->name);
                        xml_buf_attr(&d, "backup", k->skip ? "no" : "yes");
                        if (!k->skip) {
                                xml_buf_attr(&d, "type", "file");
                                xml_buf_attr(&d, "backupmode", def->incremental ? "incremental" : "full");
                                xml_buf_attr(&d, "incremental", def->incremental);
                                xml_buf_attr(&d, "exportname", k->export_name);
                                xml_buf_attr(&d, "exportbitmap", k->export_bitmap);
                                xml_buf_attr(&d, "state", k->state);
                        }
                        XmlBuf e = XML_BUF_CHILD(&d);
                        if (!k->skip && k->driver_type) {
                                xml_buf_open(&e, "driver");
                                xml_buf_attr(&e, "type", k->driver_type);
                                xml_buf_close(&e, "driver", NULL, false);
                        }
                        if (!k->skip && k->target_file) {
                                xml_buf_open(&e, def->pull ? "scratch" : "target");
                                xml_buf_attr(&e, "file", k->target_file);
                                xml_buf_close(&e, def->pull ? "scratch" : "target", NULL, false);
                        }
                        xml_buf_close(&d, "disk", &e, false);
                }
                xml_buf_close(&c, "disks", &d, false);
        }
        xml_buf_close(&b, "domainbackup", &c, false);
        return xml_buf_steal(&b);
}
