/* SPDX-License-Identifier: GPL-3.0-or-later */
/* html.c — the pieces of the report pages: escaped text, the page frame with
 * an inline stylesheet (no network, no script: the page reads offline), a
 * figure, a number cell.
 *
 * Invariant: user text goes through tune_html_text, which escapes the five
 * characters that matter in element content and attribute values. */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tune_html_text(struct tune_text *t, const char *s)
{
    for (const char *c = s ? s : ""; *c; c++) {
        switch (*c) {
        case '&':
            tune_text_put(t, "&amp;", 5);
            break;
        case '<':
            tune_text_put(t, "&lt;", 4);
            break;
        case '>':
            tune_text_put(t, "&gt;", 4);
            break;
        case '"':
            tune_text_put(t, "&quot;", 6);
            break;
        case '\'':
            tune_text_put(t, "&#39;", 5);
            break;
        default:
            tune_text_put(t, c, 1);
        }
    }
}

void tune_html_begin(struct tune_text *t, const char *title)
{
    tune_text_printf(t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<title>");
    tune_html_text(t, title);
    tune_text_printf(
        t, "</title>\n<style>\n"
           "body{font-family:sans-serif;margin:1.5em auto;max-width:1300px;color:#222;"
           "padding:0 1em}\n"
           "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccc}\n"
           "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}\n"
           "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;"
           "vertical-align:top}\n"
           "th{background:#f2f2f2}td.l,th.l{text-align:left}\n"
           ".figs{display:flex;flex-wrap:wrap;gap:1em}\n"
           "figure{margin:0;flex:1 1 560px;max-width:820px}\n"
           "figure img{width:100%%;height:auto;border:1px solid #ddd}\n"
           "figcaption{font-size:.85em;color:#555}\n"
           ".note{color:#555;font-size:.9em}code{background:#f4f4f4;padding:0 .2em}\n"
           "figure object{display:block;width:100%%;height:auto;border:1px solid #ddd}\n"
           "nav.toc{background:#f8f8f8;border:1px solid #ddd;padding:.3em 1em;"
           "display:inline-block}\nnav.toc ol{margin:.3em 0;padding-left:1.4em}\n"
           "</style>\n</head>\n<body>\n");
}

void tune_html_end(struct tune_text *t)
{
    tune_text_printf(t, "</body>\n</html>\n");
}

void tune_html_figure(struct tune_text *t, const char *image, const char *caption)
{
    tune_text_printf(t, "<figure><a href=\"");
    tune_html_text(t, image);
    tune_text_printf(t, "\"><img src=\"");
    tune_html_text(t, image);
    tune_text_printf(t, "\" alt=\"");
    tune_html_text(t, caption);
    tune_text_printf(t, "\"></a><figcaption>");
    tune_html_text(t, caption);
    tune_text_printf(t, "</figcaption></figure>\n");
}

void tune_html_num(struct tune_text *t, double v)
{
    if (isnan(v))
        tune_text_put(t, "&ndash;", 7);
    else
        tune_text_printf(t, "%.6g", v);
}

void tune_html_figure_svg(struct tune_text *t, const char *svg, const char *png,
                          const char *caption)
{
    tune_text_printf(t, "<figure><object type=\"image/svg+xml\" data=\"");
    tune_html_text(t, svg);
    tune_text_printf(t, "\">");
    if (png) {
        tune_text_printf(t, "<img src=\"");
        tune_html_text(t, png);
        tune_text_printf(t, "\" alt=\"");
        tune_html_text(t, caption);
        tune_text_printf(t, "\">");
    } else {
        tune_html_text(t, caption);
    }
    tune_text_printf(t, "</object><figcaption>");
    tune_html_text(t, caption);
    tune_text_printf(t, " (point at a trial for its number and value; <a href=\"");
    tune_html_text(t, svg);
    tune_text_printf(t, "\">SVG</a>");
    if (png) {
        tune_text_printf(t, ", <a href=\"");
        tune_html_text(t, png);
        tune_text_printf(t, "\">PNG</a>");
    }
    tune_text_printf(t, ")</figcaption></figure>\n");
}

/* The table of contents: every "<h2>" becomes "<h2 id=\"sN\">" and the
 * marker is replaced by a list of links to them, the headings' text (HTML
 * already) as the links' text.  Out of memory: the page as it was. */
void tune_html_toc(struct tune_text *page)
{
    static const char marker[] = "<!--toc-->";
    if (page->oom || !page->p)
        return;
    char *at = strstr(page->p, marker);
    if (!at)
        return;
    struct tune_text out = {0}, toc = {0};
    size_t n = 0;
    tune_text_printf(&toc, "<nav class=\"toc\"><b>Contents</b>\n<ol>\n");
    const char *p = page->p;
    for (const char *h; (h = strstr(p, "<h2>")) != NULL;) {
        const char *end = strstr(h, "</h2>");
        if (!end)
            break;
        tune_text_put(&out, p, (size_t)(h - p));
        tune_text_printf(&out, "<h2 id=\"s%zu\">", ++n);
        tune_text_printf(&toc, "<li><a href=\"#s%zu\">", n);
        tune_text_put(&toc, h + 4, (size_t)(end - (h + 4)));
        tune_text_printf(&toc, "</a></li>\n");
        p = h + 4;
    }
    tune_text_printf(&out, "%s", p);
    tune_text_printf(&toc, "</ol></nav>\n");
    /* the marker sits before every heading: put the list in its place */
    char *m = out.p ? strstr(out.p, marker) : NULL;
    if (out.oom || toc.oom || !m || n == 0) {
        tune_text_release(&out);
        tune_text_release(&toc);
        return;
    }
    struct tune_text joined = {0};
    tune_text_put(&joined, out.p, (size_t)(m - out.p));
    tune_text_put(&joined, toc.p, toc.len);
    tune_text_printf(&joined, "%s", m + sizeof marker - 1);
    tune_text_release(&out);
    tune_text_release(&toc);
    if (joined.oom) {
        tune_text_release(&joined);
        return;
    }
    tune_text_release(page);
    *page = joined;
}
