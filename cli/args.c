/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/args.c — option parsing and error reporting shared by all commands. */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tunefold%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'tunefold %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
    return CLI_USAGE;
}

int cli_fail(const char *cmd, const struct tune_error *err)
{
    fprintf(stderr, "tunefold %s: %s\n", cmd,
            err->msg[0] ? err->msg : tune_status_str(err->code));
    switch (err->code) {
    case TUNE_EINVAL:
    case TUNE_ECONFLICT:
    case TUNE_ENOTFOUND:
        return CLI_USAGE;
    default:
        return CLI_FAILED;
    }
}

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
              const char **pos, size_t max_pos, size_t *n_pos, const char *help)
{
    *n_pos = 0;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*n_pos >= max_pos)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            pos[(*n_pos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return -1;
        }
        if (a[1] != '-')
            return cli_usage_error(cmd, "unknown option '%s'", a);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct cli_opt *o = NULL;
        for (const struct cli_opt *p = opts; p && p->name; p++)
            if (strlen(p->name) == len && strncmp(p->name, name, len) == 0)
                o = p;
        if (!o)
            return cli_usage_error(cmd, "unknown option '--%.*s'", (int)len, name);
        if (o->flag) {
            if (eq)
                return cli_usage_error(cmd, "option '--%s' takes no value", o->name);
            *o->flag = 1;
        } else if (eq) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            return cli_usage_error(cmd, "option '--%s' needs a value", o->name);
        }
    }
    return CLI_OK;
}

int cli_parse_count(const char *cmd, const char *opt, const char *text, double min, double max,
                    double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || v != floor(v) || v < min || v > max)
        return cli_usage_error(cmd, "--%s: expected an integer in [%.0f, %.0f], got '%s'", opt,
                               min, max, text);
    *out = v;
    return CLI_OK;
}

int cli_open_study(const char *cmd, const char *db, const char *name, struct tune_store **store,
                   struct tune_study_info *info)
{
    struct tune_error err = {0};
    if (!db)
        db = "tunefold.db";
    /* Reading commands never create a database file by accident (a server
     * database exists or the connection fails). */
    if (!cli_is_server_url(db)) {
        FILE *f = fopen(db, "rb");
        if (!f)
            return cli_usage_error(cmd,
                                   "no database '%s' (run a study first, or pass --db PATH)", db);
        fclose(f);
    }
    if (tune_store_open(db, store, &err))
        return cli_fail(cmd, &err);
    int rc;
    if (name) {
        rc = tune_store_study_find(*store, name, info, &err);
        if (rc == TUNE_ENOTFOUND)
            tune_error_set(&err, TUNE_ENOTFOUND, "no study '%s' in %s", name, db);
    } else {
        struct tune_study_info *all = NULL;
        size_t n = 0;
        rc = tune_store_study_list(*store, &all, &n, &err);
        if (rc == TUNE_OK && n == 1) {
            *info = all[0];
            memset(&all[0], 0, sizeof all[0]);
        } else if (rc == TUNE_OK) {
            char list[400] = "";
            for (size_t i = 0; i < n; i++) {
                strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, all[i].name, sizeof list - strlen(list) - 1);
            }
            rc = n == 0 ? tune_error_set(&err, TUNE_ENOTFOUND, "%s holds no study yet", db)
                        : tune_error_set(&err, TUNE_EINVAL,
                                         "%s holds %zu studies; pick one with --study NAME (%s)",
                                         db, n, list);
        }
        tune_study_infos_free(all, n);
    }
    if (rc) {
        tune_store_close(*store);
        *store = NULL;
        return cli_fail(cmd, &err);
    }
    return CLI_OK;
}

int cli_is_server_url(const char *db)
{
    return db && (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0);
}
