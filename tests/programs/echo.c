/* SPDX-License-Identifier: GPL-3.0-or-later */
/* echo.c — a well-behaved program for test_process: it shows what it was
 * given, one fact per stdout line, so the test can check that arguments,
 * environment, working directory, stdin and descriptors arrive exactly.
 *
 *   echo [ARG...]        prints, in this order:
 *     "argc N"
 *     "arg I LEN VALUE"       for each argument (LEN in bytes)
 *     "env NAME=VALUE" or "unset NAME"  for each NAME in $TU_SHOW_ENV
 *                              (names separated by ':')
 *     "cwd PATH"
 *     "stdin eof" (a read of stdin returns 0 bytes) or "stdin data"
 *     "fds LIST"             open descriptors above 2 (expected: none)
 *     "crlf\r"                (a line ending in CR LF)
 *     "last"                  without a newline
 * and a note on stderr, then exits 0. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("arg %d %zu %s\n", i, strlen(argv[i]), argv[i]);
    const char *show = getenv("TU_SHOW_ENV");
    if (show) {
        char *names = strdup(show);
        for (char *save = NULL, *name = strtok_r(names, ":", &save); name;
             name = strtok_r(NULL, ":", &save)) {
            const char *v = getenv(name);
            if (v)
                printf("env %s=%s\n", name, v);
            else
                printf("unset %s\n", name);
        }
        free(names);
    }
    char cwd[PATH_MAX];
    printf("cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
    char c;
    printf("stdin %s\n", read(0, &c, 1) == 0 ? "eof" : "data");
    printf("fds");
    for (int fd = 3; fd < 256; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            printf(" %d", fd);
    printf("\n");
    printf("crlf\r\n");
    printf("last");
    fprintf(stderr, "echo: done\n");
    return 0;
}
