/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/copy.c — `tunefold copy`: move studies between stores (SQLite to
 * PostgreSQL to spread a study over machines, and back to archive it),
 * through tune_store_copy_study(). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char copy_help[] =
    "Usage: tunefold copy --from SRC --to DST [--study NAME]\n"
    "\n"
    "Copy studies from one store to another with every trial, metric, fold value,\n"
    "intermediate value, artifact, attribute and stored blob, bit for bit: SQLite\n"
    "to PostgreSQL and back (a path, sqlite:PATH or postgresql://USER@HOST:PORT/DB).\n"
    "A study of the same name already in DST is left as it is when identical, and\n"
    "completed when it is a part of the source's (an interrupted copy); any other\n"
    "difference refuses the copy (exit 2) before anything is written.\n"
    "\n"
    "Options:\n"
    "  --from SRC     the store to copy from (never created)\n"
    "  --to DST       the store to copy to (created when it is a new SQLite file)\n"
    "  --study NAME   copy this study only (default: every study in SRC)\n"
    "  -h, --help     show this help\n";

static int copy_one(const char *cmd, struct tune_store *src, struct tune_store *dst,
                    const char *name, const char *to)
{
    struct tune_copy_stats st;
    struct tune_error err = {0};
    if (tune_store_copy_study(src, dst, name, &st, &err))
        return cli_fail(cmd, &err);
    if (!st.created && st.trials + st.artifacts + st.attrs + st.blobs == 0)
        printf("study '%s': already in %s, identical (%zu trials); nothing copied\n", name, to,
               st.trials_present);
    else
        printf("study '%s': copied %zu trials, %zu artifacts, %zu attributes, %zu blobs to %s"
               "%s\n",
               name, st.trials, st.artifacts, st.attrs, st.blobs, to,
               st.trials_present ? " (completing an earlier copy)" : "");
    return CLI_OK;
}

int cli_copy(int argc, char **argv)
{
    const char *cmd = "copy", *from = NULL, *to = NULL, *name = NULL;
    const struct cli_opt opts[] = {
        {"from", &from, NULL}, {"to", &to, NULL}, {"study", &name, NULL}, {NULL, NULL, NULL}};
    size_t n_pos = 0;
    int rc = cli_parse(cmd, argc, argv, opts, NULL, 0, &n_pos, copy_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!from || !to)
        return cli_usage_error(cmd, "--from SRC and --to DST are both required");
    if (strcmp(from, to) == 0)
        return cli_usage_error(cmd, "--from and --to name the same store");
    struct tune_store *src = NULL, *dst = NULL;
    struct tune_study_info *all = NULL;
    size_t n = 0;
    struct tune_error err = {0};
    /* the source is never created: a file must exist */
    const char *path = strncmp(from, "sqlite:", 7) == 0 ? from + 7 : from;
    if (strncmp(path, "//", 2) == 0 && path != from)
        path += 2;
    if (!cli_is_server_url(from)) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return cli_usage_error(cmd, "--from: no database '%s'", from);
        fclose(f);
    }
    if (tune_store_open(from, &src, &err))
        return cli_fail(cmd, &err);
    if (tune_store_open(to, &dst, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (name) {
        rc = copy_one(cmd, src, dst, name, to);
        goto done;
    }
    if (tune_store_study_list(src, &all, &n, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (n == 0)
        fprintf(stderr, "tunefold %s: %s holds no study; nothing copied\n", cmd, from);
    for (size_t i = 0; i < n; i++) {
        int one = copy_one(cmd, src, dst, all[i].name, to);
        if (one > rc)
            rc = one;
    }
done:
    tune_study_infos_free(all, n);
    tune_store_close(src);
    tune_store_close(dst);
    return rc;
}
