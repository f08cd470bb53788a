/* SPDX-License-Identifier: GPL-3.0-or-later */
/* error.h — status codes and the error record that travels with them.
 *
 * Every library function that can fail returns an int status (TUNE_OK = 0 on
 * success) and fills a caller-provided `struct tune_error` with a one-line
 * message naming the file, line, key or parameter at fault.  Codes are
 * append-only: never renumber, never reuse.  Stop reasons (budget met, grid
 * exhausted, cancelled) are not errors; they are `enum tune_stop` in study.h. */
#ifndef TUNEFOLD_ERROR_H
#define TUNEFOLD_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum tune_status {
    TUNE_OK = 0,
    TUNE_EINVAL = 1,     /* bad input: config, CSV, arguments (CLI exit 2) */
    TUNE_ENOMEM = 2,     /* out of memory */
    TUNE_EIO = 3,        /* file or process I/O failed */
    TUNE_ESTORE = 4,     /* the store (database) failed */
    TUNE_ENUMERIC = 5,   /* a numerical routine failed (singular, no convergence) */
    TUNE_ETRAINER = 6,   /* a trainer failed on this configuration */
    TUNE_ECONFLICT = 7,  /* a stored study differs from the study file */
    TUNE_ENOTFOUND = 8,  /* no such study / trial */
    TUNE_EEXHAUSTED = 9, /* a searcher has no point left (grid done); not a failure */
    TUNE_EBUDGET = 10,   /* the study's trial budget is met; not a failure */
    TUNE_EUNSUPPORTED = 11, /* a plug-in lacks the method (an older vtable version) */
    TUNE_ENOPROGRAM = 12  /* a program a trainer runs cannot be started on this machine
                             (not found, not executable): a trainer failure here, that
                             another machine may not have */
};

#define TUNE_ERROR_MSG_MAX 512

struct tune_error {
    int code;
    char msg[TUNE_ERROR_MSG_MAX];
};

/* Static name of a status code ("invalid input", ...). Never NULL. */
const char *tune_status_str(int code);

/* Fill `err` (may be NULL) with `code` and a printf-style message; returns
 * `code`, so a failure is recorded and returned in one expression:
 *     return tune_error_set(err, TUNE_EINVAL, "%s:%zu: ragged row", path, line); */
int tune_error_set(struct tune_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prepend "prefix: " to an existing message (adds context on the way up). */
int tune_error_prefix(struct tune_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Reset to TUNE_OK with an empty message. */
void tune_error_clear(struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
