/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_install.c — tunefold as an installed C library: every public header
 * compiles on its own as C11 and as C++; `make install` into a fresh prefix
 * gives a command, static and shared libraries with a soname, pkg-config's
 * tunefold.pc, man pages and bash completion; and examples/embed builds
 * against that prefix with pkg-config alone and works a study. */
#include "testutil.h"

#include <dirent.h>

TestSuite(install, .init = tu_watchdog);

/* Compile `#include "tunefold/NAME"` alone with `compiler`; 0 on success. */
static int compile_header(const char *compiler, const char *lang, const char *name,
                          char **errs)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "(printf '#include \"tunefold/%s\"\\nint tune_header_probe;\\n' | %s -x %s "
             "-Wall -Wextra -Werror -fsyntax-only -Iinclude $(pkg-config --cflags gsl "
             "libcjson) -)",
             name, compiler, lang);
    return tu_run(cmd, NULL, errs);
}

Test(install, every_public_header_compiles_alone_as_c11_and_as_cplusplus)
{
    DIR *d = opendir("include/tunefold");
    cr_assert_not_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".h") != 0)
            continue;
        char *errs = NULL;
        cr_assert_eq(compile_header("cc -std=c11 -pedantic", "c", e->d_name, &errs), 0,
                     "%s as C11:\n%s", e->d_name, errs);
        free(errs);
        errs = NULL;
        cr_assert_eq(compile_header("c++ -std=c++11", "c++", e->d_name, &errs), 0,
                     "%s as C++:\n%s", e->d_name, errs);
        free(errs);
        n++;
    }
    closedir(d);
    cr_assert(n >= 15, "only %d headers", n);
}

Test(install, an_installed_copy_serves_the_embed_example_through_pkg_config, .timeout = 0)
{
    char *dir = tu_tmpdir(), cmd[4096], *out = NULL, *errs = NULL;
    /* The plain build, whatever make runs the tests: MAKEFLAGS emptied, and
     * the variables `make asan` sets (which reach here through the
     * environment) removed, so that the installed library is not a
     * sanitizer build an ordinary program cannot load. */
    snprintf(cmd, sizeof cmd,
             "env -u BUILD -u LIB -u BIN -u OPT -u LDFLAGS -u CFLAGS -u TUNEFOLD_BIN MAKEFLAGS= "
             "MAKELEVEL= make -s install PREFIX='%s/usr' >/dev/null",
             dir);
    cr_assert_eq(tu_run(cmd, NULL, &errs), 0, "make install:\n%s", errs);
    free(errs);
    errs = NULL;
    const char *expect[] = {"usr/bin/tunefold",
                            "usr/lib/libtunefold.a",
                            "usr/lib/libtunefold.so.0",
                            "usr/lib/libtunefold.so",
                            "usr/lib/pkgconfig/tunefold.pc",
                            "usr/include/tunefold/tunefold.h",
                            "usr/include/tunefold/study.h",
                            "usr/share/man/man1/tunefold.1",
                            "usr/share/man/man5/tunefold-study.5",
                            "usr/share/bash-completion/completions/tunefold"};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, expect[i]);
        cr_assert_eq(access(path, F_OK), 0, "not installed: %s", expect[i]);
    }
    /* the shared library names its ABI and exports only the public API */
    snprintf(cmd, sizeof cmd,
             "(readelf -d '%s/usr/lib/libtunefold.so' | grep -c 'SONAME.*libtunefold.so.0'; "
             "nm -D --defined-only '%s/usr/lib/libtunefold.so' | "
             "grep -c ' tune_fold_prepare@\\| tune_study_run@')",
             dir, dir);
    cr_assert_eq(tu_run(cmd, &out, NULL), 0);
    cr_assert_str_eq(out, "1\n1\n", "soname, and tune_study_run but not internals:\n%s", out);
    free(out);
    out = NULL;
    /* build the example with pkg-config only, and run it on a study */
    snprintf(cmd, sizeof cmd,
             "cd examples/embed && PKG_CONFIG_PATH='%s/usr/lib/pkgconfig' "
             "cc -std=c11 -Wall -Wextra -Werror -o '%s/embed' embed.c "
             "$(PKG_CONFIG_PATH='%s/usr/lib/pkgconfig' pkg-config --cflags --libs tunefold)",
             dir, dir, dir);
    cr_assert_eq(tu_run(cmd, NULL, &errs), 0, "building the example:\n%s", errs);
    free(errs);
    errs = NULL;
    snprintf(cmd, sizeof cmd,
             "LD_LIBRARY_PATH='%s/usr/lib' '%s/embed' tests/data/studies/cli_random.json "
             "'%s/e.db'",
             dir, dir, dir);
    cr_assert_eq(tu_run(cmd, &out, &errs), 0, "embed: %s", errs);
    cr_assert(strstr(out, "cli-random: budget met after 20 trials; best trial #"), "%s", out);
    free(out);
    out = NULL;
    /* it ran on the installed shared library, not a copy linked in */
    snprintf(cmd, sizeof cmd, "LD_LIBRARY_PATH='%s/usr/lib' ldd '%s/embed'", dir, dir);
    cr_assert_eq(tu_run(cmd, &out, NULL), 0);
    char want[1200];
    snprintf(want, sizeof want, "libtunefold.so.0 => %s/usr/lib/libtunefold.so.0", dir);
    cr_assert(strstr(out, want), "%s", out);
    free(out);
    free(errs);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}
