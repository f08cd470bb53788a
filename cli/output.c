/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/output.c — formatting helpers: JSON strings, doubles, durations, and
 * what a stored study's printout needs to know about it. */
#include "cli.h"
#include "tunefold/text.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_print_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; c && *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", f);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

void cli_fmt_double(char *buf, size_t len, double v)
{
    tune_format_double(v, buf, len);
}

void cli_fmt_duration(char *buf, size_t len, double s)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, len, "?");
        return;
    }
    if (s < 60) {
        snprintf(buf, len, "%.1fs", s);
        return;
    }
    long t = (long)(s + 0.5);
    if (t < 3600)
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

int cli_study_score_mode(const struct tune_study_info *info)
{
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(cfg, "trainer");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(tr, "mode");
    /* an ask/tell study's trials are told one value each, too */
    int score = (cJSON_IsString(mode) && strcmp(mode->valuestring, "score") == 0) ||
                cJSON_GetObjectItemCaseSensitive(cfg, "evaluation") != NULL;
    cJSON_Delete(cfg);
    return score;
}

int cli_flat_warning(const struct tune_study_info *info, const struct tune_progress *p, char *buf,
                     size_t len)
{
    if (p->complete < 5 || isnan(p->best_value) || p->best_value != p->worst_value)
        return 0;
    char v[40];
    cli_fmt_double(v, sizeof v, p->best_value);
    snprintf(buf, len,
             "all %zu complete trials of study '%s' have the same %s, %s: the parameters may "
             "not reach the program (for an external trainer, check how \"exec\" passes them) "
             "or may not matter",
             p->complete, info->name, info->metric, v);
    return 1;
}
