/* SPDX-License-Identifier: GPL-3.0-or-later */
/* importances.c — the best trial's feature importances (the
 * "importances.csv" artifact: feature,importance, the mean over folds of
 * what the trainer reports) as horizontal bars, largest first, at most
 * MAX_BARS; feature names on the axis, quoted like every label. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BARS 30

struct bar {
    const char *name;
    double value;
};

static int by_value_desc(const void *a, const void *b)
{
    const struct bar *x = a, *y = b;
    double u = fabs(x->value), v = fabs(y->value);
    if (u != v)
        return u < v ? 1 : -1;
    return strcmp(x->name, y->name);
}

int tune_report_importances(const char *csv, size_t len, const char *title,
                            const struct tune_plot_opts *o, struct tune_plot_log *log,
                            struct tune_error *err)
{
    struct tune_table *t = NULL;
    int rc = tune_table_parse_csv("importances.csv", csv, len, &t, err);
    if (rc)
        return rc;
    long fcol = tune_table_find(t, "feature"), icol = tune_table_find(t, "importance");
    if (fcol < 0 || icol < 0 || t->cols[icol].kind != TUNE_COL_NUMERIC) {
        tune_table_free(t);
        return tune_error_set(err, TUNE_EINVAL,
                              "importances.csv: expected the columns feature,importance");
    }
    size_t n = t->n_rows;
    struct bar *bars = malloc((n + 1) * sizeof *bars);
    char **numeric_names = calloc(n + 1, sizeof *numeric_names);
    struct tune_text data = {0}, gp = {0};
    if (!bars || !numeric_names) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for importances");
        goto done;
    }
    const struct tune_column *fc = &t->cols[fcol];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = t->data[(size_t)icol * n + i];
        double code = t->data[(size_t)fcol * n + i];
        if (!isfinite(v))
            continue;
        const char *name;
        if (fc->kind == TUNE_COL_CATEGORICAL && !isnan(code)) {
            name = fc->levels[(size_t)code];
        } else {
            /* a feature column that happens to be all numbers */
            char buf[64];
            snprintf(buf, sizeof buf, "%.17g", code);
            if (!(numeric_names[i] = strdup(buf))) {
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for importances");
                goto done;
            }
            name = numeric_names[i];
        }
        bars[m++] = (struct bar){name, v};
    }
    if (m == 0) {
        rc = tune_error_set(err, TUNE_EINVAL, "importances.csv: no finite importance");
        goto done;
    }
    qsort(bars, m, sizeof *bars, by_value_desc);
    size_t shown = m < MAX_BARS ? m : MAX_BARS;
    double lo = 0, hi = 0;
    tune_text_printf(&data, "# feature importances, largest first: rank importance\n");
    for (size_t i = 0; i < shown; i++) {
        tune_text_printf(&data, "%zu ", i);
        tune_text_num(&data, bars[i].value);
        tune_text_printf(&data, "\n");
        lo = fmin(lo, bars[i].value);
        hi = fmax(hi, bars[i].value);
    }
    unsigned height = (unsigned)(150 + 22 * shown);
    if (height < 420)
        height = 420;
    tune_plot_preamble(&gp, o, "importances", 0, height);
    char head[128];
    if (shown < m)
        snprintf(head, sizeof head, "Feature importances (mean over folds), top %zu of %zu",
                 shown, m);
    else
        snprintf(head, sizeof head, "Feature importances (mean over folds)");
    tune_text_printf(&gp, "set title ");
    tune_plot_quote(&gp, head, 0);
    tune_text_printf(&gp, " . \"\\n\" . ");
    tune_plot_quote(&gp, title, 90);
    double pad = 0.05 * (hi - lo > 0 ? hi - lo : 1);
    tune_text_printf(&gp, "\nunset key\nset grid noytics\nset xlabel 'importance'\n"
                          "set xrange [%.17g:%.17g]\nset yrange [%zu.6:-0.6]\nset ytics (",
                     lo < 0 ? lo - pad : 0, hi + pad, shown - 1);
    for (size_t i = 0; i < shown; i++) {
        if (i)
            tune_text_printf(&gp, ", ");
        tune_plot_quote(&gp, bars[i].name, 32);
        tune_text_printf(&gp, " %zu", i);
    }
    tune_text_printf(&gp, ") font ',10'\nset style fill solid 0.85 noborder\n"
                          "plot 'importances.dat' using ($2/2):1:(abs($2)/2):(0.38) "
                          "with boxxyerror lc rgb '#3182bd'\n");
    if ((rc = tune_text_save(&data, o->out_dir, "importances.dat", err)))
        goto done;
    rc = tune_plot_finish(&gp, o, log, "importances",
                          "Feature importances of the best trial (mean over folds)", err);
done:
    for (size_t i = 0; numeric_names && i < n; i++)
        free(numeric_names[i]);
    free(numeric_names);
    free(bars);
    tune_text_release(&data);
    tune_text_release(&gp);
    tune_table_free(t);
    return rc;
}
