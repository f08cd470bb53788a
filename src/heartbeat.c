/* SPDX-License-Identifier: GPL-3.0-or-later */
/* heartbeat.c — keep a running trial visibly alive.
 *
 * A trial whose worker died (kill -9, a crashed machine) stays RUNNING in
 * the store; the only way others can tell it from a slow trial is time.  So
 * while a worker evaluates a trial, this thread stamps the trial's heartbeat
 * every `interval` seconds through a store connection of its own (the
 * worker's connection and its prepared statements belong to the worker's
 * thread), and a trial whose heartbeat is older than TUNE_STALE_SECONDS is
 * recovered by whoever looks next (store: trial_recover_stale).  A failed
 * stamp is retried at the next tick: a busy database must not stop a trial. */
#include "src/heartbeat.h"
#include "tunefold/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct tune_heartbeat {
    struct tune_store *store;
    int64_t study_id;
    double interval;
    int number;       /* guarded by mu */
    int stop;         /* guarded by mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
};

static void *beat(void *arg)
{
    struct tune_heartbeat *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        double t = (double)until.tv_nsec * 1e-9 + h->interval;
        until.tv_sec += (time_t)t;
        until.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
        int rc = 0;
        while (!h->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&h->cv, &h->mu, &until);
        if (h->stop)
            break;
        int number = h->number;
        if (number < 0)
            continue;
        pthread_mutex_unlock(&h->mu);
        struct tune_error err;
        tune_store_trial_heartbeat(h->store, h->study_id, number, &err);
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

int tune_heartbeat_start(const char *store_url, int64_t study_id, double interval,
                         struct tune_heartbeat **out, struct tune_error *err)
{
    *out = NULL;
    struct tune_heartbeat *h = calloc(1, sizeof *h);
    if (!h)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    int rc = tune_store_open(store_url, &h->store, err);
    if (rc) {
        free(h);
        return rc;
    }
    h->study_id = study_id;
    h->interval = interval;
    h->number = -1;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->thread, NULL, beat, h) != 0) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
        tune_store_close(h->store);
        free(h);
        return tune_error_set(err, TUNE_ENOMEM, "cannot start the heartbeat thread");
    }
    *out = h;
    return TUNE_OK;
}

void tune_heartbeat_set(struct tune_heartbeat *h, int number)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->number = number;
    pthread_mutex_unlock(&h->mu);
}

void tune_heartbeat_stop(struct tune_heartbeat *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    tune_store_close(h->store);
    free(h);
}
