/* SPDX-License-Identifier: GPL-3.0-or-later */
/* error.c — status names and the error record (see tunefold/error.h). */
#include "tunefold/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *tune_status_str(int code)
{
    switch (code) {
    case TUNE_OK: return "ok";
    case TUNE_EINVAL: return "invalid input";
    case TUNE_ENOMEM: return "out of memory";
    case TUNE_EIO: return "input/output error";
    case TUNE_ESTORE: return "store error";
    case TUNE_ENUMERIC: return "numerical error";
    case TUNE_ETRAINER: return "trainer failed";
    case TUNE_ECONFLICT: return "conflict with stored study";
    case TUNE_ENOTFOUND: return "not found";
    case TUNE_EEXHAUSTED: return "search space exhausted";
    case TUNE_EBUDGET: return "trial budget met";
    case TUNE_EUNSUPPORTED: return "not supported by this plug-in";
    case TUNE_ENOPROGRAM: return "a program cannot be started here";
    default: return "unknown status";
    }
}

int tune_error_set(struct tune_error *err, int code, const char *fmt, ...)
{
    if (err) {
        /* Format into a copy first: a caller may pass err->msg itself as an
         * argument ("%s", err->msg), and vsnprintf onto its own source is
         * undefined (in practice the message came out empty). */
        char msg[TUNE_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        err->code = code;
        memcpy(err->msg, msg, sizeof msg);
    }
    return code;
}

int tune_error_prefix(struct tune_error *err, const char *fmt, ...)
{
    if (!err)
        return TUNE_OK;
    char prefix[TUNE_ERROR_MSG_MAX], old[TUNE_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable: a message is one line for a person. */
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t m = strlen(old);
    if (m > room)
        m = room;
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = '\0';
    return err->code;
}

void tune_error_clear(struct tune_error *err)
{
    if (err) {
        err->code = TUNE_OK;
        err->msg[0] = '\0';
    }
}
