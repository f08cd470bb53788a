/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil.h — small helpers shared by the Criterion tests.
 * Tests run from the project root (scripts/run-tests is called by make). */
#ifndef TUNEFOLD_TESTUTIL_H
#define TUNEFOLD_TESTUTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Assert |a - b| <= tol * max(1, |b|). */
#define assert_close(a, b, tol)                                                         \
    do {                                                                                \
        double a_ = (a), b_ = (b), t_ = (tol) * (fabs(b_) > 1 ? fabs(b_) : 1);          \
        cr_assert(fabs(a_ - b_) <= t_, "%s = %.17g, expected %.17g (tol %g)", #a, a_, b_, \
                  (double)(tol));                                                       \
    } while (0)

/* For TestSuite(name, .init = tu_watchdog): a test still running after
 * 150 s is killed by SIGALRM, so a hang fails the suite instead of stalling
 * it. */
static inline void tu_watchdog(void)
{
    alarm(150);
}

/* A fresh temporary directory for one test; caller frees the string. */
static inline char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/tunefold-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d, "mkdtemp failed");
    return strdup(d);
}

/* Write `text` to dir/name; returns the malloc'ed path. */
static inline char *tu_write(const char *dir, const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

/* dir/name's whole content as a malloc'ed string, or NULL when unreadable. */
static inline char *tu_read(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* The CLI binary under test (TUNEFOLD_BIN overrides, for the asan build). */
/* A copy of the test program NAME (tests/programs/NAME.c, or examples'
 * trainers, built by the Makefile into TU_PROGRAMS) in `dir`, executable;
 * caller frees the path.  A copy, so that a test may delete, move or
 * chmod it. */
#ifndef TU_PROGRAMS
#define TU_PROGRAMS "build/test-programs"
#endif
static inline char *tu_program(const char *name, const char *dir)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len), cmd[2048];
    snprintf(path, len, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "cp '" TU_PROGRAMS "/%s' '%s' && chmod 755 '%s'", name, path,
             path);
    cr_assert_eq(system(cmd), 0, "no test program %s (make builds " TU_PROGRAMS ")", name);
    return path;
}

static inline const char *tu_bin(void)
{
    const char *b = getenv("TUNEFOLD_BIN");
    return b && *b ? b : "bin/tunefold";
}

/* Run a shell command line, capture stdout+stderr (separately) into malloc'ed
 * strings (may pass NULL to discard); returns the exit status or -1. */
static inline int tu_run(const char *cmd, char **out, char **errout)
{
    char *d = tu_tmpdir();
    char o[512], e[512], full[8192];
    snprintf(o, sizeof o, "%s/out", d);
    snprintf(e, sizeof e, "%s/err", d);
    snprintf(full, sizeof full, "%s >%s 2>%s </dev/null", cmd, o, e);
    int st = system(full);
    int rc = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    char *paths[2] = {o, e};
    char **dst[2] = {out, errout};
    for (int i = 0; i < 2; i++) {
        if (!dst[i])
            continue;
        FILE *f = fopen(paths[i], "rb");
        size_t cap = 1 << 16, len = 0, got;
        char *buf = malloc(cap);
        while (f && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
            len += got;
            if (cap - len < 2)
                buf = realloc(buf, cap *= 2);
        }
        buf[len] = '\0';
        if (f)
            fclose(f);
        *dst[i] = buf;
    }
    unlink(o);
    unlink(e);
    rmdir(d);
    free(d);
    return rc;
}

#endif
