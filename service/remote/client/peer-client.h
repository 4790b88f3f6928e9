/* peer-client.h: the remote-protocol client the daemon uses as migrate-peer.h's ops (main.c sets them). */
#pragma once

#include "migrate-peer.h"

extern const MigratePeerOps remote_migrate_peer_ops;
