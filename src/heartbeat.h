/* SPDX-License-Identifier: GPL-3.0-or-later */
/* heartbeat.h — a background thread that stamps "still alive" on the trial a
 * worker is running (internal to the library; see src/heartbeat.c). */
#ifndef TUNEFOLD_SRC_HEARTBEAT_H
#define TUNEFOLD_SRC_HEARTBEAT_H

#include <stdint.h>
#include "tunefold/error.h"

struct tune_heartbeat;

/* Open a store connection of its own to `store_url` and start the thread,
 * which stamps the current trial every `interval` seconds.  Stop with
 * tune_heartbeat_stop(). */
int tune_heartbeat_start(const char *store_url, int64_t study_id, double interval,
                         struct tune_heartbeat **out, struct tune_error *err);
/* The trial to keep alive, or -1 for none. */
void tune_heartbeat_set(struct tune_heartbeat *h, int number);
/* Stop the thread, close its connection, free.  Accepts NULL. */
void tune_heartbeat_stop(struct tune_heartbeat *h);

#endif
