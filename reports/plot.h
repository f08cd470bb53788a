/* SPDX-License-Identifier: GPL-3.0-or-later */
/* plot.h — helpers shared by the files of reports/ (not part of the public
 * contract): a growing text buffer for scripts, data files and HTML, the
 * common script preamble, and the step that saves a script and runs gnuplot
 * on it (reports/gnuplot.c), plus HTML escaping (reports/html.c).
 *
 * Invariant: user text enters a script only through tune_plot_quote(), and an
 * HTML page only through tune_html_text(). */
#ifndef TUNEFOLD_REPORTS_PLOT_H
#define TUNEFOLD_REPORTS_PLOT_H

#include <stddef.h>
#include "tunefold/report.h"

/* A growing text; on out-of-memory `oom` is set and later writes are no-ops,
 * so a writer checks once at the end. */
struct tune_text {
    char *p;
    size_t len, cap;
    int oom;
};

void tune_text_printf(struct tune_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void tune_text_put(struct tune_text *t, const char *s, size_t len);
/* A double for a data file: %.17g, or NaN. */
void tune_text_num(struct tune_text *t, double v);
void tune_text_release(struct tune_text *t);
/* Write to dir/name (replacing it).  TUNE_ENOMEM if t->oom, TUNE_EIO naming
 * the path. */
int tune_text_save(const struct tune_text *t, const char *dir, const char *name,
                   struct tune_error *err);

/* Append a gnuplot single-quoted literal of s (see tune_gp_quote); at most
 * max_chars characters (0: no limit), longer text cut with "...". */
void tune_plot_quote(struct tune_text *t, const char *s, size_t max_chars);

/* The same, cut at spaces into lines of at most `width` bytes joined by
 * gnuplot newlines ('line 1' . "\n" . 'line 2'); returns the line count. */
size_t tune_plot_quote_wrapped(struct tune_text *t, const char *s, size_t width);

/* The opening of a script for image `base`.EXT of w x h pixels (0: the
 * options' size): terminal (pngcairo or svg, noenhanced, white
 * background), output, encoding, grid and border style. */
void tune_plot_preamble(struct tune_text *t, const struct tune_plot_opts *o, const char *base,
                        unsigned w, unsigned h);

/* Save `script` as base.gp in o->out_dir, record base.EXT (and `caption`,
 * plain text) in the log, and run
 * gnuplot on it unless the log already knows gnuplot is missing.  A failed
 * start marks the log (gnuplot_missing) and returns TUNE_OK; gnuplot exiting
 * non-zero, or no image afterwards, is TUNE_EIO with gnuplot's last stderr
 * line. */
int tune_plot_finish(const struct tune_text *script, const struct tune_plot_opts *o,
                     struct tune_plot_log *log, const char *base, const char *caption,
                     struct tune_error *err);

/* Tics for a log axis over [lo, hi] (0 < lo < hi): 1, 2, 5 times powers of
 * ten when that makes 4 to 8 tics, or 1, 1.5, 2, 3, 5, 7 times when fewer;
 * past 8, powers of ten alone — every decade, or every other (third...)
 * one — with minor tics between; labels %g, or 10ⁿ when some tic is
 * outside [1e-4, 1e5).  Writes "set <axis>tics (...)" and the format line. */
void tune_plot_log_tics(struct tune_text *t, const char *axis, double lo, double hi);

/* mkdir -p. */
int tune_report_mkdir(const char *dir, struct tune_error *err);

/* Fill default width/height/timeout into a copy of the options. */
struct tune_plot_opts tune_plot_opts_resolved(const struct tune_plot_opts *o);

/* The i-th of ten distinct colours for folds and studies ("#rrggbb"). */
const char *tune_report_fold_color(size_t i);

/* ---- the objective axis of history and parameter plots (history.c) ---- */

/* Where values are drawn.  Values worse than `limit` (beyond 4x the
 * median's distance from the best value) are drawn at `limit` and counted
 * in n_clipped; failed trials sit on the row `fail_y`, below the data. */
struct tune_obj_axis {
    double lo, hi;        /* the y range to set */
    double limit;         /* clip limit (NAN: none) */
    double fail_y;        /* row of the failed trials */
    size_t n_clipped;
    int maximize;
};
void tune_obj_axis_make(const double *values, size_t n, int maximize, int have_failed,
                        struct tune_obj_axis *ax);
/* The value as drawn: clipped to the limit. */
double tune_obj_axis_draw(const struct tune_obj_axis *ax, double v);

/* Past TUNE_PLOT_MAX_POINTS finished trials a picture of every trial thins
 * its points: it draws every k-th trial, k = tune_plot_stride(n), and every
 * trial that matters (each new best, the best), so a study of 100,000
 * trials draws in a moment and still shows its shape and its best.  k is 1
 * (draw everything) up to the limit. */
#define TUNE_PLOT_MAX_POINTS 5000
size_t tune_plot_stride(size_t n_finished);

/* ---- HTML (html.c) ---- */

/* Text with & < > " ' escaped. */
void tune_html_text(struct tune_text *t, const char *s);
/* <!DOCTYPE ...><head> with an inline stylesheet and `title` (escaped). */
void tune_html_begin(struct tune_text *t, const char *title);
void tune_html_end(struct tune_text *t);
/* <figure> of an image (file name sanitized by construction) with a caption. */
void tune_html_figure(struct tune_text *t, const char *image, const char *caption);
/* A number for a table cell: %.6g, "–" for NAN. */
void tune_html_num(struct tune_text *t, double v);
/* A figure showing the SVG twin of a picture (in an <object>, where its
 * hover text works), the PNG inside as the fallback, and links to both;
 * png NULL: an SVG report, the SVG alone. */
void tune_html_figure_svg(struct tune_text *t, const char *svg, const char *png,
                          const char *caption);
/* Number the page's <h2> headings and put their table of contents where the
 * page says <!--toc--> (nothing when it does not). */
void tune_html_toc(struct tune_text *page);
/* The "Settings" section of a study's page (settings.c): search, cv,
 * preprocessing, pruning, fixed parameters, the space, the objective, and
 * the stop reason when not NULL. */
void tune_report_settings_html(struct tune_text *h, const char *config_json,
                               const char *stop_reason);
/* 1 when `image` (a picture of out_dir) has hover text to show: a PNG
 * with its SVG twin beside it, or in an SVG report the picture itself
 * (hover.c); *svg receives the SVG's name (size >= strlen(image) + 1). */
int tune_report_has_svg_twin(const struct tune_plot_opts *o, const char *image, char *svg,
                             size_t size);

#endif
