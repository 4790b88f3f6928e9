/* handle.c: the handles of objects on the wire read from the arguments. */
#include "handle.h"

#include <stdlib.h>

#include "packet.h"

int remote_handle_domain(XdrReader *r, RemoteRef *ref) {
        int32_t id;
        xdr_skip_string(r, REMOTE_STRING_MAX);          /* name: libvirt's drivers look up the UUID */
        xdr_get_fixed(r, ref->uuid, 16);
        return xdr_get_i32(r, &id);
}

int remote_handle_network(XdrReader *r, RemoteRef *ref) {
        xdr_skip_string(r, REMOTE_STRING_MAX);
        return xdr_get_fixed(r, ref->uuid, 16);
}

int remote_handle_pool(XdrReader *r, RemoteRef *ref) {
        return remote_handle_network(r, ref);
}

int remote_handle_vol(XdrReader *r, RemoteRef *ref) {
        xdr_get_string(r, REMOTE_STRING_MAX, &ref->pool, NULL);
        xdr_get_string(r, REMOTE_STRING_MAX, &ref->name, NULL);
        return xdr_get_string(r, REMOTE_STRING_MAX, &ref->key, NULL);
}

void remote_ref_done(RemoteRef *ref) {
        free(ref->pool);
        free(ref->name);
        free(ref->key);
        *ref = (RemoteRef) { 0 };
}
