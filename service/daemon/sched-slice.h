/* sched-slice.h: the event loop's thread asks the scheduler for a short time slice. */
#pragma once

void sched_slice_request_short(void);
