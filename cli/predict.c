/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/predict.c — `tunefold predict`: a model file and a CSV in, one line of
 * predictions per row out, in the format `tunefold score` reads.
 *
 * The work is the library's tune_model_predict_csv (streamed in blocks,
 * several threads); this file parses the options, writes to a temporary file
 * renamed into place (a failed run leaves no half-written predictions under
 * the name asked for), and reports.  Bad input is exit 2 naming the file,
 * line and column. */
#include "cli.h"
#include "tunefold/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char predict_help[] =
    "Usage: tunefold predict MODEL --data CSV [OPTIONS]\n"
    "\n"
    "Predict every row of a CSV file with a model written by 'tunefold fit'. The\n"
    "CSV needs a header naming the model's input columns (any order; other\n"
    "columns, such as the target, are ignored); each row goes through the\n"
    "model's own preprocessing (imputation, scaling, one-hot) as in training.\n"
    "Output, one line per row in input order, is the predictions format that\n"
    "'tunefold score --pred' reads:\n"
    "  binary      label,score            score = probability of the second class\n"
    "  multiclass  label,proba_<class>... one probability per class\n"
    "  regression  prediction\n"
    "  clustering  cluster\n"
    "Large files are read in blocks: memory stays bounded whatever their size.\n"
    "\n"
    "Options:\n"
    "  --data FILE     the rows to predict (CSV; '-' reads standard input)\n"
    "  --out FILE      write the predictions there (default: standard output)\n"
    "  --keep COLS     copy these input columns (comma-separated, e.g. an id) in\n"
    "                  front of the predictions; 'tunefold score' wants them gone\n"
    "  --unseen M      a category the model never saw: error (default: exit 2,\n"
    "                  naming it), or zero (encode it as all-zero one-hot and\n"
    "                  print a note with how many)\n"
    "  --threads N     threads (default: every core)\n"
    "  --allow-exec    allow a model of an external trainer to run its program\n"
    "                  (it predicts by running it; only for a model you trust)\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status 2, one line naming the problem: a missing input column, text in\n"
    "a numeric column, an unseen category, a ragged row, bad CSV, a model file\n"
    "that is damaged or from a newer tunefold.\n"
    "\n"
    "Examples:\n"
    "  tunefold predict bc.tfm --data new.csv --out pred.csv\n"
    "  tunefold predict bc.tfm --data data/breast_cancer.csv --out pred.csv\n"
    "  tunefold score --truth truth.csv --pred pred.csv\n"
    "  tunefold predict bc.tfm --data new.csv --keep id > pred_with_ids.csv\n";

static const char *cmd = "predict";

/* Split "a,b,c" into a NULL-terminated list (malloc'ed, strings inside
 * `text`, which is modified). */
static const char **split_list(char *text)
{
    size_t n = 1;
    for (const char *c = text; *c; c++)
        n += *c == ',';
    const char **v = calloc(n + 1, sizeof *v);
    if (!v)
        return NULL;
    size_t k = 0;
    for (char *tok = text;; ) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        v[k++] = tok;
        if (!comma)
            break;
        tok = comma + 1;
    }
    return v;
}

int cli_predict(int argc, char **argv)
{
    const char *pos[1], *data = NULL, *out = NULL, *keep = NULL, *unseen = "error",
               *threads_text = NULL;
    int allow_exec = 0;
    size_t n_pos;
    const struct cli_opt opts[] = {{"data", &data, NULL},     {"out", &out, NULL},
                                   {"keep", &keep, NULL},     {"unseen", &unseen, NULL},
                                   {"threads", &threads_text, NULL},
                                   {"allow-exec", NULL, &allow_exec}, {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, predict_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "needs the model file: tunefold predict MODEL --data CSV");
    if (!data)
        return cli_usage_error(cmd, "needs --data FILE, the rows to predict");
    if (strcmp(unseen, "error") != 0 && strcmp(unseen, "zero") != 0)
        return cli_usage_error(cmd, "--unseen: expected error or zero, got '%s'", unseen);
    double threads = 0;
    if (threads_text && (rc = cli_parse_count(cmd, "threads", threads_text, 1, 64, &threads)))
        return rc;
    char *keep_text = keep ? strdup(keep) : NULL;
    const char **keep_list = keep_text ? split_list(keep_text) : NULL;
    if (keep && (!keep_text || !keep_list)) {
        free(keep_text);
        return cli_usage_error(cmd, "out of memory");
    }
    for (size_t k = 0; keep_list && keep_list[k]; k++)
        if (!keep_list[k][0]) {
            free(keep_list);
            free(keep_text);
            return cli_usage_error(cmd, "--keep: an empty column name in '%s'", keep);
        }

    struct tune_error err = {0};
    struct tune_model *m = NULL;
    FILE *in = NULL, *outf = NULL;
    char *tmp = NULL;
    double t0 = cli_now();
    /* each block is predicted on one thread: a trainer's own threads would
     * only compete with the other blocks' */
    struct tune_model_load_options lo = {.n_threads = 1, .allow_exec = allow_exec};
    if (tune_model_load(pos[0], &lo, &m, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    int from_stdin = strcmp(data, "-") == 0;
    in = from_stdin ? stdin : fopen(data, "rb");
    if (!in) {
        rc = cli_usage_error(cmd, "--data: cannot read %s: %s", data, strerror(errno));
        goto done;
    }
    if (out) {
        size_t len = strlen(out) + 16;
        tmp = malloc(len);
        if (!tmp) {
            rc = cli_usage_error(cmd, "out of memory");
            goto done;
        }
        snprintf(tmp, len, "%s.tmp-XXXXXX", out);
        int fd = mkstemp(tmp);
        outf = fd >= 0 ? fdopen(fd, "wb") : NULL;
        if (!outf) {
            fprintf(stderr, "tunefold predict: --out: cannot write %s: %s\n", out,
                    strerror(errno));
            if (fd >= 0)
                close(fd);
            free(tmp);
            tmp = NULL;
            rc = CLI_FAILED;
            goto done;
        }
        fchmod(fd, 0644);
    }
    struct tune_model_csv_options co = {.keep = keep_list,
                                        .unseen_zero = strcmp(unseen, "zero") == 0,
                                        .n_threads = (size_t)threads};
    struct tune_model_csv_stats st;
    rc = tune_model_predict_csv(m, in, from_stdin ? "<stdin>" : data, outf ? outf : stdout, &co,
                                &st, &err);
    if (outf) {
        if (fclose(outf) != 0 && !rc)
            rc = tune_error_set(&err, TUNE_EIO, "cannot write %s: %s", out, strerror(errno));
        outf = NULL;
        if (!rc && rename(tmp, out) != 0)
            rc = tune_error_set(&err, TUNE_EIO, "cannot write %s: %s", out, strerror(errno));
        if (rc)
            unlink(tmp);
    }
    if (rc) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (st.unseen)
        fprintf(stderr, "tunefold predict: note: %zu cell%s held a category unseen in "
                "training (first: %s), encoded as all zeros\n",
                st.unseen, st.unseen == 1 ? "" : "s", st.unseen_example);
    if (out)
        fprintf(stderr, "tunefold predict: %zu rows predicted in %.3g s: %s\n", st.rows,
                cli_now() - t0, out);
    rc = CLI_OK;
done:
    if (outf)
        fclose(outf);
    if (in && in != stdin)
        fclose(in);
    free(tmp);
    tune_model_free(m);
    free(keep_list);
    free(keep_text);
    return rc;
}
