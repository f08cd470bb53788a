/* SPDX-License-Identifier: GPL-3.0-or-later */
/* settings.c — the "Settings" table at the top of a study's page: how the
 * study searched (strategy, budget, seed, workers), cross-validated,
 * preprocessed and pruned, its fixed parameters, its search space, and why
 * it stopped (the study attribute "stop_reason", when the run recorded
 * one).
 *
 * Read from the stored canonical config generically — every key of each
 * section as key=value — so that a key added to the study file later shows
 * without a change here.  All text goes through tune_html_text. */
#include "plot.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One value: a number as %.6g, a string as is, anything else as compact JSON. */
static void value_text(struct tune_text *h, const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        tune_text_printf(h, "%.6g", v->valuedouble);
    } else if (cJSON_IsString(v)) {
        tune_html_text(h, v->valuestring);
    } else {
        char *s = cJSON_PrintUnformatted(v);
        tune_html_text(h, s ? s : "?");
        free(s);
    }
}

/* A row "title | k1=v1, k2=v2 ..." of an object's members; nothing when
 * the object is absent or empty. */
static void object_row(struct tune_text *h, const char *title, const cJSON *obj)
{
    if (!cJSON_IsObject(obj) || !obj->child)
        return;
    tune_text_printf(h, "<tr><th class=\"l\">%s</th><td class=\"l\">", title);
    const cJSON *m;
    size_t k = 0;
    cJSON_ArrayForEach(m, obj) {
        tune_text_printf(h, "%s<code>", k++ ? ", " : "");
        tune_html_text(h, m->string);
        tune_text_printf(h, "=");
        value_text(h, m);
        tune_text_printf(h, "</code>");
    }
    tune_text_printf(h, "</td></tr>\n");
}

/* The search space, one parameter per line. */
static void space_row(struct tune_text *h, const cJSON *space)
{
    if (!cJSON_IsObject(space) || !space->child)
        return;
    tune_text_printf(h, "<tr><th class=\"l\">search space</th><td class=\"l\">");
    const cJSON *p;
    size_t k = 0;
    cJSON_ArrayForEach(p, space) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
        const cJSON *values = cJSON_GetObjectItemCaseSensitive(p, "values");
        const cJSON *low = cJSON_GetObjectItemCaseSensitive(p, "low");
        const cJSON *high = cJSON_GetObjectItemCaseSensitive(p, "high");
        const cJSON *scale = cJSON_GetObjectItemCaseSensitive(p, "scale");
        const char *ty = cJSON_IsString(type) ? type->valuestring : "float";
        tune_text_printf(h, "%s<code>", k++ ? "<br>" : "");
        tune_html_text(h, p->string);
        tune_text_printf(h, "</code>: ");
        tune_html_text(h, ty);
        if (cJSON_IsArray(values)) {
            tune_text_printf(h, ", one of ");
            const cJSON *v;
            size_t j = 0;
            cJSON_ArrayForEach(v, values) {
                tune_text_printf(h, "%s", j++ ? ", " : "");
                value_text(h, v);
            }
        } else if (cJSON_IsNumber(low) && cJSON_IsNumber(high)) {
            tune_text_printf(h, " in [%.6g, %.6g]", low->valuedouble, high->valuedouble);
        }
        if (cJSON_IsString(scale) && strcmp(scale->valuestring, "log") == 0)
            tune_text_printf(h, ", log scale");
    }
    tune_text_printf(h, "</td></tr>\n");
}

void tune_report_settings_html(struct tune_text *h, const char *config_json,
                               const char *stop_reason)
{
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    tune_text_printf(h, "<h2>Settings</h2>\n<table>\n");
    if (stop_reason && *stop_reason) {
        tune_text_printf(h, "<tr><th class=\"l\">stopped because</th><td class=\"l\">");
        tune_html_text(h, stop_reason);
        tune_text_printf(h, "</td></tr>\n");
    }
    object_row(h, "search", cJSON_GetObjectItemCaseSensitive(cfg, "search"));
    object_row(h, "cross-validation", cJSON_GetObjectItemCaseSensitive(cfg, "cv"));
    object_row(h, "preprocessing", cJSON_GetObjectItemCaseSensitive(cfg, "preprocess"));
    object_row(h, "pruning", cJSON_GetObjectItemCaseSensitive(cfg, "pruning"));
    object_row(h, "fixed parameters",
               cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, "trainer"),
                                                "params"));
    space_row(h, cJSON_GetObjectItemCaseSensitive(cfg, "space"));
    object_row(h, "objective", cJSON_GetObjectItemCaseSensitive(cfg, "objective"));
    tune_text_printf(h, "</table>\n");
    cJSON_Delete(cfg);
}
