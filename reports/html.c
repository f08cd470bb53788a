/* html.c — the pieces of the report pages: escaped text, the page frame with
 * an inline stylesheet (no network, no script: the page reads offline), a
 * figure, a number cell.
 *
 * Invariant: user text goes through tune_html_text, which escapes the five
 * characters that matter in element content and attribute values. */
#include "plot.h"

#include <math.h>
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
