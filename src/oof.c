/* oof.c — out-of-fold predictions as CSV, the artifact reports read instead
 * of retraining (see DESIGN.md: "reports never retrain"). */
#include "tunefold/study.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append to a growing buffer; 0 on out-of-memory. */
struct buf {
    char *p;
    size_t len, cap;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int put(struct buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return 0;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return 1;
        }
        size_t cap = b->cap * 2 + (size_t)n + 1;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
}

/* A class name as a CSV-safe header fragment (quotes doubled when needed). */
static int put_class(struct buf *b, const char *name)
{
    if (!strpbrk(name, ",\"\r\n"))
        return put(b, ",p_%s", name);
    if (!put(b, ",\"p_"))
        return 0;
    for (const char *c = name; *c; c++)
        if (!put(b, *c == '"' ? "\"\"" : "%c", *c))
            return 0;
    return put(b, "\"");
}

int tune_oof_format(const struct tune_dataset *ds, const struct tune_cv_result *cv, char **text,
                    size_t *len, struct tune_error *err)
{
    struct buf b = {malloc(4096), 0, 4096};
    const struct tune_predictions *p = &cv->oof;
    if (ds->task == TUNE_TASK_CLUSTERING) {
        /* cluster ids and each row's squared distance to its centre */
        int ok = b.p != NULL && put(&b, "row,fold,cluster,distance\n");
        for (size_t r = 0; ok && r < ds->n_rows; r++)
            if (cv->oof_fold[r] >= 0)
                ok = put(&b, "%zu,%d,%d,%.17g\n", r, cv->oof_fold[r], p->label[r],
                         p->value ? p->value[r] : NAN);
        if (!ok) {
            free(b.p);
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for out-of-fold predictions");
        }
        *text = b.p;
        *len = b.len;
        return TUNE_OK;
    }
    int ok = b.p != NULL && put(&b, "row,fold,y_true,y_pred");
    for (size_t k = 0; ok && p->proba && k < ds->n_classes; k++)
        ok = put_class(&b, ds->class_names[k]);
    ok = ok && put(&b, "\n");
    for (size_t r = 0; ok && r < ds->n_rows; r++) {
        if (cv->oof_fold[r] < 0)
            continue; /* holdout: rows never validated */
        if (p->value) {
            ok = put(&b, "%zu,%d,%.17g,%.17g", r, cv->oof_fold[r], ds->y[r], p->value[r]);
        } else {
            ok = put(&b, "%zu,%d,%.0f,%d", r, cv->oof_fold[r], ds->y[r], p->label[r]);
            for (size_t k = 0; ok && p->proba && k < p->n_classes; k++)
                ok = put(&b, ",%.17g", p->proba[r * p->n_classes + k]);
        }
        ok = ok && put(&b, "\n");
    }
    if (!ok) {
        free(b.p);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for out-of-fold predictions");
    }
    *text = b.p;
    *len = b.len;
    return TUNE_OK;
}
