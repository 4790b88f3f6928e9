/* work-thread.h: a piece of a handler's work run in a thread of its own, its completion posted
 * back to the loop through an eventfd (work-thread.c). */
#pragma once

#include <systemd/sd-event.h>

/* work(userdata) runs in a new thread; done(userdata) then runs on e's loop. Nothing else may
 * touch what work uses until done. 0, or a negative errno when no thread can be had (nothing
 * has run: the caller does the work itself). */
int remote_work_run(sd_event *e, void (*work)(void *userdata), void (*done)(void *userdata), void *userdata);
