/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pgutil.h — PostgreSQL helpers shared by the tests that run against a real
 * server: TUNEFOLD_TEST_PG_URL names it (`make test-pg` and CI start a
 * throwaway one with scripts/pg-test-server); without it these tests are
 * skipped and say why.  Each test works in a schema of its own. */
#ifndef TUNEFOLD_PGUTIL_H
#define TUNEFOLD_PGUTIL_H

#include "testutil.h"

#include <libpq-fe.h>

static inline const char *tpg_url(void)
{
    const char *u = getenv("TUNEFOLD_TEST_PG_URL");
    return u && *u ? u : NULL;
}

static inline void tpg_require(void)
{
    if (!tpg_url())
        cr_skip_test("PostgreSQL tests skipped: TUNEFOLD_TEST_PG_URL is not set (`make test-pg` "
                     "starts a throwaway server; scripts/pg-test-server start prints a URL)");
}

/* Run SQL on `url`; the first column of the first row as a malloc'ed
 * string ("" for none or NULL). */
static inline char *tpg_query(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PQclear(PQexec(c, "SET client_min_messages = 'warning'"));
    PGresult *r = PQexec(c, sql);
    cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
              "%s: %s", sql, PQerrorMessage(c));
    char *out = strdup(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
                               !PQgetisnull(r, 0, 0)
                           ? PQgetvalue(r, 0, 0)
                           : "");
    PQclear(r);
    PQfinish(c);
    return out;
}

static inline void tpg_assert(const char *url, const char *sql, const char *want)
{
    char *got = tpg_query(url, sql);
    cr_assert_str_eq(got, want, "%s\n  -> '%s', expected '%s'", sql, got, want);
    free(got);
}

/* A new schema and the URL that puts a store in it (malloc'ed); the
 * schema's name into `schema`. */
static inline char *tpg_schema(const char *tag, char *schema, size_t size)
{
    static int counter;
    char sql[256];
    snprintf(schema, size, "tf_%s_%ld_%d", tag, (long)getpid(), counter++);
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
             schema);
    free(tpg_query(tpg_url(), sql));
    size_t len = strlen(tpg_url()) + strlen(schema) + 64;
    char *url = malloc(len);
    snprintf(url, len, "%s%soptions=-csearch_path%%3D%s", tpg_url(),
             strchr(tpg_url(), '?') ? "&" : "?", schema);
    return url;
}

static inline void tpg_drop(const char *schema)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
    free(tpg_query(tpg_url(), sql));
}

#endif
