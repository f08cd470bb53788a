/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tree_pool.c — a small pthread pool for the tree trainers' parallel loops.
 *
 * One job at a time: tune_pool_run publishes (fn, arg, n_tasks), bumps the
 * generation and wakes the workers; every thread, the caller included, claims
 * task numbers from one atomic counter until none is left; the caller then
 * waits until every worker has finished the job.  Which thread runs which task
 * varies from run to run, so callers keep results per task (never per
 * thread) and reduce them in task order: that is what makes a fit's output
 * the same for any number of threads.
 *
 * Waiting.  Boosting runs thousands of short jobs a second, each a few tens
 * of microseconds; a sleeping thread takes about as long to wake, so both
 * sides first spin for a bounded while (POOL_SPIN polls, a few
 * milliseconds) on the atomic generation or busy count, and only then sleep
 * on a condition variable.  The gaps between a fit's jobs (a node's rows
 * partitioned, a round's gradients) outlast tens of microseconds, and a
 * worker that had gone to sleep woke after the caller had run most of the
 * next job alone: with POOL_SPIN at 4096 a 2-thread boosting fit took 6%
 * longer (bench: fit plus predict per fold, 100,000 x 20, medians of 16).
 * The spin yields the core every YIELD_EVERY polls, and its bound keeps an
 * idle pool from burning a core for long on a shared machine (unbounded
 * spinning, as OpenMP runtimes do by default, is what makes other libraries
 * collapse under load).
 *
 * Memory order: the job's fields are written before the generation is
 * bumped with release order, and workers read them after loading it with
 * acquire order; the caller rewrites them only after every worker has
 * counted itself out of `busy`. */
#include "tree_common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#define POOL_SPIN 65536
#define YIELD_EVERY 256

struct tune_pool {
    size_t n_threads;            /* workers + the caller */
    size_t n_workers;            /* started */
    pthread_t *workers;
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    atomic_ulong generation;     /* bumped per job */
    atomic_int quit;
    atomic_size_t busy;          /* workers still in the current job */
    void (*fn)(void *, size_t, size_t);
    void *arg;
    size_t n_tasks;
    atomic_size_t next;
};

struct worker_start {
    struct tune_pool *pool;
    size_t index;
};

static inline void cpu_relax(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause();
#endif
}

/* One turn of a spin wait: a pause, and every YIELD_EVERY turns the rest
 * of the time slice to any other thread that wants this core (a pool with
 * more threads than free cores must not spin its own caller out). */
static inline void spin_pause(int turn)
{
    cpu_relax();
    if (turn % YIELD_EVERY == YIELD_EVERY - 1)
        sched_yield();
}

static void drain(struct tune_pool *p, size_t thread)
{
    for (;;) {
        size_t t = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (t >= p->n_tasks)
            return;
        p->fn(p->arg, t, thread);
    }
}

static void *worker_main(void *arg)
{
    struct tune_pool *p = ((struct worker_start *)arg)->pool;
    size_t index = ((struct worker_start *)arg)->index;
    free(arg);
    unsigned long seen = 0;
    for (;;) {
        unsigned long g = atomic_load_explicit(&p->generation, memory_order_acquire);
        for (int s = 0; s < POOL_SPIN && g == seen && !atomic_load(&p->quit); s++) {
            spin_pause(s);
            g = atomic_load_explicit(&p->generation, memory_order_acquire);
        }
        if (g == seen) {
            pthread_mutex_lock(&p->mu);
            while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen &&
                   !atomic_load(&p->quit))
                pthread_cond_wait(&p->wake, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->quit))
            break;
        seen = g;
        drain(p, index);
        if (atomic_fetch_sub_explicit(&p->busy, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

struct tune_pool *tune_pool_new(size_t n_threads)
{
    struct tune_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n_threads = 1;
    atomic_init(&p->generation, 0);
    atomic_init(&p->quit, 0);
    atomic_init(&p->busy, 0);
    atomic_init(&p->next, 0);
    if (n_threads <= 1)
        return p;
    p->workers = calloc(n_threads - 1, sizeof *p->workers);
    if (!p->workers) {
        free(p);
        return NULL;
    }
    /* Without a mutex and both condition variables, run on the caller alone. */
    int mu_ok = pthread_mutex_init(&p->mu, NULL) == 0;
    int wake_ok = mu_ok && pthread_cond_init(&p->wake, NULL) == 0;
    int done_ok = wake_ok && pthread_cond_init(&p->done, NULL) == 0;
    if (!done_ok) {
        if (wake_ok)
            pthread_cond_destroy(&p->wake);
        if (mu_ok)
            pthread_mutex_destroy(&p->mu);
        free(p->workers);
        p->workers = NULL;
        return p;
    }
    for (size_t i = 0; i + 1 < n_threads; i++) {
        struct worker_start *ws = malloc(sizeof *ws);
        if (!ws)
            break;
        ws->pool = p;
        ws->index = i + 1;
        if (pthread_create(&p->workers[i], NULL, worker_main, ws) != 0) {
            free(ws);
            break;
        }
        p->n_workers++;
    }
    p->n_threads = p->n_workers + 1;
    return p;
}

size_t tune_pool_threads(const struct tune_pool *pool)
{
    return pool ? pool->n_threads : 1;
}

void tune_pool_run(struct tune_pool *p, size_t n_tasks,
                   void (*fn)(void *arg, size_t task, size_t thread), void *arg)
{
    if (!p || p->n_workers == 0 || n_tasks <= 1) {
        for (size_t t = 0; t < n_tasks; t++)
            fn(arg, t, 0);
        return;
    }
    p->fn = fn;
    p->arg = arg;
    p->n_tasks = n_tasks;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    atomic_store_explicit(&p->busy, p->n_workers, memory_order_relaxed);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    drain(p, 0);
    for (int s = 0; s < POOL_SPIN && atomic_load_explicit(&p->busy, memory_order_acquire); s++)
        spin_pause(s);
    if (atomic_load_explicit(&p->busy, memory_order_acquire)) {
        pthread_mutex_lock(&p->mu);
        while (atomic_load_explicit(&p->busy, memory_order_acquire))
            pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
}

void tune_pool_free(struct tune_pool *p)
{
    if (!p)
        return;
    if (p->workers && p->n_workers > 0) {
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->quit, 1);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->mu);
        for (size_t i = 0; i < p->n_workers; i++)
            pthread_join(p->workers[i], NULL);
    }
    if (p->workers) {
        pthread_cond_destroy(&p->wake);
        pthread_cond_destroy(&p->done);
        pthread_mutex_destroy(&p->mu);
    }
    free(p->workers);
    free(p);
}
