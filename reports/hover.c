/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hover.c — pictures whose marks carry hover text (a trial's number and
 * value): gnuplot's svg terminal with `mouse standalone` turns
 * `with labels hypertext` into text shown when the pointer is over a mark,
 * with gnuplot's own small script inside the SVG (no file or network
 * needed).  A PNG report gets the same picture as an SVG twin, drawn by
 * the same script after the PNG; the page shows the twin (html.c). */
#include "surrogate.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void svg_terminal(struct tune_text *gp, const struct tune_plot_opts *o, unsigned w,
                         unsigned h)
{
    struct tune_plot_opts r = tune_plot_opts_resolved(o);
    tune_text_printf(gp, "set terminal svg size %u,%u noenhanced font 'Sans,12' "
                         "background rgb 'white' mouse standalone\n",
                     w ? w : r.width, h ? h : r.height);
}

void tune_plot_svg_twin(struct tune_text *gp, const struct tune_plot_opts *o, const char *base,
                        unsigned w, unsigned h, const char *plot)
{
    if (o->format == TUNE_IMAGE_SVG)
        return;
    tune_text_printf(gp, "\n# The same picture as SVG, with each trial's number and value shown "
                         "under the pointer\n");
    svg_terminal(gp, o, w, h);
    tune_text_printf(gp, "set output '%s.svg'\n%s\n", base, plot);
}

void tune_plot_hover_terminal(struct tune_text *gp, const struct tune_plot_opts *o, unsigned w,
                              unsigned h)
{
    if (o->format == TUNE_IMAGE_SVG)
        svg_terminal(gp, o, w, h);
}

int tune_report_has_svg_twin(const struct tune_plot_opts *o, const char *image, char *svg,
                             size_t size)
{
    /* only the pictures drawn with hover text: timeline, parallel, contour_* */
    size_t len = strlen(image);
    if (len < 5 || size < len + 1)
        return 0;
    if (strncmp(image, "timeline.", 9) != 0 && strncmp(image, "parallel.", 9) != 0 &&
        strncmp(image, "contour_", 8) != 0)
        return 0;
    if (o->format == TUNE_IMAGE_SVG) { /* the picture itself */
        snprintf(svg, size, "%s", image);
        return strcmp(image + len - 4, ".svg") == 0;
    }
    if (strcmp(image + len - 4, ".png") != 0)
        return 0;
    snprintf(svg, size, "%.*s.svg", (int)(len - 4), image);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", o->out_dir, svg);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
