/* SPDX-License-Identifier: GPL-3.0-or-later */
/* faults.h — the misbehaviours shared by trainer_predict.c and
 * trainer_score.c, chosen with --fault=NAME (or TUNEFOLD_P_FAULT when the
 * study passes parameters as environment variables):
 *   exit3        "trainer: failing on purpose" on stderr, exit status 3
 *   segv         dies of SIGSEGV
 *   sleep        sleeps 30 s (a test's time limit is far shorter)
 *   ignore_term  ignores SIGTERM and waits forever (only SIGKILL ends it)
 *   flood        prints 100 MB of text lines to stdout, then behaves
 *   linger       forks a child that sleeps 30 s holding stdout open, writes
 *                its pid to the file --pidfile=PATH (if given), then behaves
 * Any other value is the program's own business (see each program). */
#ifndef TU_FAULTS_H
#define TU_FAULTS_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Value of --NAME=VALUE among the arguments, else of TUNEFOLD_P_<NAME>
 * (NAME upper-cased by the caller), else NULL. */
static const char *tu_param(int argc, char **argv, const char *name, const char *env_name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, n) == 0 &&
            argv[i][2 + n] == '=')
            return argv[i] + 3 + n;
    return getenv(env_name);
}

static void tu_sleep(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Apply a generic fault; returns only if the program should go on. */
static void tu_apply_fault(const char *fault, const char *pidfile)
{
    if (!fault || !*fault || strcmp(fault, "none") == 0)
        return;
    if (strcmp(fault, "exit3") == 0) {
        fprintf(stderr, "trainer: failing on purpose\n");
        exit(3);
    }
    if (strcmp(fault, "segv") == 0) {
        fflush(stdout);
        volatile char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page != MAP_FAILED)
            page[0] = 1;
        abort();
    }
    if (strcmp(fault, "sleep") == 0) {
        tu_sleep(30);
        return;
    }
    if (strcmp(fault, "ignore_term") == 0) {
        signal(SIGTERM, SIG_IGN);
        for (;;)
            pause();
    }
    if (strcmp(fault, "flood") == 0) {
        static char line[100];
        memset(line, 'z', sizeof line - 1);
        line[sizeof line - 1] = '\n';
        for (int i = 0; i < 1024 * 1024; i++)
            fwrite(line, 1, sizeof line, stdout);
        fflush(stdout);
        return;
    }
    if (strcmp(fault, "linger") == 0) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            tu_sleep(30);
            _exit(0);
        }
        if (pid > 0 && pidfile) {
            FILE *f = fopen(pidfile, "w");
            if (f) {
                fprintf(f, "%ld\n", (long)pid);
                fclose(f);
            }
        }
        return;
    }
}

#endif
