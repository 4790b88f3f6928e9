/* fake-server.h: a test double of the remote door's transport side (server.c's half of client.h): clients whose sent packets are kept for inspection. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"
#include "manager.h"

typedef struct FakePacket {
        uint8_t *data;
        size_t len;
} FakePacket;

typedef struct FakeClient {
        RemoteClient c;                 /* first: the protocol side sees only this */
        FakePacket *out;
        size_t n_out, cap_out;
        bool close_requested;
        unsigned keepalive_starts, keepalive_seen;
        unsigned input_paused;          /* remote_client_pause_input() minus resume */
        size_t output_bytes;            /* bytes of out[]: the test "reads" them with fake_client_clear() */
} FakeClient;

struct RemoteServer {
        FakeClient **clients;
        size_t n_clients;
        int next_callback_id;
        Manager *manager;
        bool observing;
        size_t send_limit;              /* refuse packets once this many are queued (0: none) */
};

RemoteServer *fake_server_new(Manager *m);
void fake_server_free(RemoteServer *s);
/* Deliver every notice of m to every client, as the real server will. */
void fake_server_observe(RemoteServer *s);

FakeClient *fake_client_new(RemoteServer *s, bool authenticated, RemoteAuthType auth);
/* The test's reference goes; the client is freed when calls in flight let it go too. */
void fake_client_drop(FakeClient *fc);
void fake_client_clear(FakeClient *fc);

/* Build a packet; the payload bytes follow the header. */
size_t fake_packet(uint8_t *buf, size_t cap, uint32_t prog, uint32_t vers, int32_t proc, uint32_t type,
                   uint32_t serial, uint32_t status, const void *payload, size_t payload_len);
/* Dispatch a CALL of REMOTE_PROGRAM with payload. */
void fake_call(FakeClient *fc, int32_t proc, uint32_t serial, const void *payload, size_t len);

/* Reading back: the header fields and payload of packet i of fc. */
uint32_t fake_be32(const uint8_t *p);
const FakePacket *fake_out(FakeClient *fc, size_t i);
