/* SPDX-License-Identifier: GPL-3.0-or-later */
/* long_line.c — writes BYTES bytes of 'x' (argv[1]) with no newline; then,
 * if argv[2] is given, "\n" ARGV2 "\n".  Exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
    static char buf[1 << 16];
    memset(buf, 'x', sizeof buf);
    while (n > 0) {
        size_t k = n < sizeof buf ? (size_t)n : sizeof buf;
        fwrite(buf, 1, k, stdout);
        n -= k;
    }
    if (argc > 2)
        printf("\n%s\n", argv[2]);
    return 0;
}
