/* thread-call.h: one blocking function run off the event loop (a detached thread of its own), its end posted back to the loop through an eventfd. */
#pragma once

#include <systemd/sd-event.h>

/* work(arg) runs in a new thread; then done(arg) runs on the loop of e, exactly once. arg is
 * the caller's until done. 0, or a negative errno (nothing runs). */
int thread_call(sd_event *e, void (*work)(void *arg), void (*done)(void *arg), void *arg);
