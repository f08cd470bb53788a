/* SPDX-License-Identifier: GPL-3.0-or-later */
/* flood.c — writes BYTES bytes (argv[2]) to stdout or stderr (argv[1]:
 * "stdout" or "stderr") and exits 0.  The stream is lines of 100 bytes:
 * byte i is '\n' when i % 100 == 99, else 'a' + (i / 100) % 26, so a test
 * can compute any part of it (tu_flood_byte in test_process.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    FILE *f = strcmp(argv[1], "stderr") == 0 ? stderr : stdout;
    unsigned long long n = strtoull(argv[2], NULL, 10);
    static char buf[1 << 16];
    unsigned long long i = 0;
    while (i < n) {
        size_t k = 0;
        for (; k < sizeof buf && i < n; k++, i++)
            buf[k] = i % 100 == 99 ? '\n' : (char)('a' + (i / 100) % 26);
        if (fwrite(buf, 1, k, f) != k)
            return 1;
    }
    return 0;
}
