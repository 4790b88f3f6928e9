/* network-host-job.c: a network's bridge and firewall built or removed off the event loop (one thread per step, joined when it posts its result). */
#define LOG_MODULE "network"
#include "network-host-job.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "network-host.h"

typedef struct HostJob {
        const NetworkPlan *plan;
        bool up;
        int r;
        VbError err;
        int efd;
        pthread_t thread;
        sd_event_source *source;
        NetworkHostDoneFn done;
        void *userdata;
} HostJob;

static void *host_thread(void *data) {
        HostJob *j = data;
        if (j->up) {
                j->r = network_host_up(j->plan, &j->err);
        } else {
                network_host_down(j->plan);
                j->r = 0;
        }
        uint64_t one = 1;
        while (write(j->efd, &one, sizeof one) < 0 && errno == EINTR)
                ;
        return NULL;
}

static int on_posted(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        HostJob *j = userdata;
        pthread_join(j->thread, NULL);
        sd_event_source_disable_unref(j->source);
        close(j->efd);
        j->done(j->r, j->r < 0 ? &j->err : NULL, j->userdata);
        free(j);
        return 0;
}

int network_host_run(sd_event *e, const NetworkPlan *plan, bool up, NetworkHostDoneFn done, void *userdata,
                     VbError *err) {
        HostJob *j = calloc(1, sizeof *j);
        if (!j)
                return vb_error_errno(err, -ENOMEM, "network job");
        *j = (HostJob) { .plan = plan, .up = up, .done = done, .userdata = userdata };
        j->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int r = j->efd < 0 ? -errno : sd_event_add_io(e, &j->source, j->efd, EPOLLIN, on_posted, j);
        if (r >= 0)
                r = -pthread_create(&j->thread, NULL, host_thread, j);
        if (r < 0) {
                sd_event_source_disable_unref(j->source);
                if (j->efd >= 0)
                        close(j->efd);
                free(j);
                return vb_error_errno(err, r, "network thread");
        }
        return 0;
}
