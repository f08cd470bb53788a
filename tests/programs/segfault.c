/* SPDX-License-Identifier: GPL-3.0-or-later */
/* segfault.c — dies of a real SIGSEGV: a store into a page mapped without
 * access rights (no undefined behaviour for the compiler to rewrite). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
    printf("about to crash\n");
    fflush(stdout);
    volatile char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;
    page[0] = 1;
    return 0;
}
