/* fuzz-remote.c: libFuzzer target: the bytes a client sends, split into packets by their length words, dispatched to a Test connection. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "client.h"
#include "connection.h"
#include "driver.h"
#include "fake-server.h"
#include "log.h"
#include "manager.h"
#include "packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool quiet;
        Manager *m = NULL;
        VbError err = { 0 };
        if (!quiet) {
                char buf[64];
                log_setup(4, NULL, NULL, buf, sizeof buf);
                quiet = true;
        }
        if (manager_new(NULL, &m) < 0)
                abort();
        if (manager_add_connection(m, &test_driver, NULL, &err) < 0)
                abort();
        RemoteServer *s = fake_server_new(m);
        fake_server_observe(s);
        /* one client that has authenticated, one that has not: events reach both */
        FakeClient *clients[2] = { fake_client_new(s, true, REMOTE_AUTH_NONE), fake_client_new(s, false, REMOTE_AUTH_SASL) };

        size_t off = 0;
        while (size - off >= 4) {
                uint32_t len = (uint32_t) data[off] << 24 | (uint32_t) data[off + 1] << 16 |
                               (uint32_t) data[off + 2] << 8 | data[off + 3];
                /* server.c drops the connection for these, before any dispatch */
                if (!packet_length_ok(len) || len > size - off)
                        break;
                /* bit 7 of the serial picks the client: the seeds' serials are small */
                FakeClient *fc = clients[(len >= 24 && (data[off + 23] & 0x80)) ? 1 : 0];
                remote_dispatch(&fc->c, data + off, len);
                fake_client_clear(clients[0]);
                fake_client_clear(clients[1]);
                off += len;
        }
        fake_server_free(s);
        manager_free(m);
        return 0;
}
