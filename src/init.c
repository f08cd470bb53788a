/* SPDX-License-Identifier: GPL-3.0-or-later */
/* init.c — the library's initialiser and version strings (tunefold.h). */
#include "tunefold/tunefold.h"

#include <cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <nlopt.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>

#ifndef TUNE_VERSION
#define TUNE_VERSION "unknown"
#endif

int tune_init(void)
{
    gsl_set_error_handler_off();
    return TUNE_OK;
}

const char *tune_version(void)
{
    return TUNE_VERSION;
}

/* Written once (pthread_once): the versions cannot change while the process
 * runs.  This is the library's one piece of static state, and it is
 * constant after its first use. */
static char libraries[160];
static pthread_once_t libraries_once = PTHREAD_ONCE_INIT;

static void libraries_init(void)
{
    int a = 0, b = 0, c = 0;
    nlopt_version(&a, &b, &c);
    snprintf(libraries, sizeof libraries, "GSL %s, NLopt %d.%d.%d, SQLite %s, cJSON %s",
             gsl_version, a, b, c, sqlite3_libversion(), cJSON_Version());
}

const char *tune_version_libraries(void)
{
    pthread_once(&libraries_once, libraries_init);
    return libraries;
}
