/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gnuplot.c — writing gnuplot scripts safely and running gnuplot on them.
 *
 * Invariants:
 * - User text reaches a script only as a single-quoted literal built here.
 *   gnuplot does no substitution inside single quotes (no backslash escapes,
 *   no `command` substitution, no @macro expansion); its one special
 *   character there is the quote, written twice.  A line break would end the
 *   command, so control characters become spaces; invalid UTF-8 bytes
 *   become '?' so the cairo terminals never choke on a label.
 * - gnuplot runs through tune_proc_run (fork + execvp on an argument vector,
 *   own process group, time limit), never through a shell, with the output
 *   folder as its working directory, so every script refers to its data and
 *   image by bare file names and can be re-run by hand from that folder.
 * - A gnuplot that cannot be started is not an error: the scripts and data
 *   are written, the log says gnuplot is missing, and later plots skip the
 *   attempt. */
#include "plot.h"
#include "src/process.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *tune_image_ext(enum tune_image_format f)
{
    return f == TUNE_IMAGE_SVG ? "svg" : "png";
}

/* ---- text buffer ---------------------------------------------------------- */

static int grow(struct tune_text *t, size_t extra)
{
    if (t->oom)
        return 0;
    if (t->len + extra + 1 <= t->cap)
        return 1;
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < t->len + extra + 1)
        cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) {
        t->oom = 1;
        return 0;
    }
    t->p = p;
    t->cap = cap;
    return 1;
}

void tune_text_put(struct tune_text *t, const char *s, size_t len)
{
    if (!grow(t, len))
        return;
    memcpy(t->p + t->len, s, len);
    t->len += len;
    t->p[t->len] = '\0';
}

void tune_text_printf(struct tune_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->oom = 1;
        return;
    }
    if (!grow(t, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void tune_text_num(struct tune_text *t, double v)
{
    if (isnan(v))
        tune_text_put(t, "NaN", 3);
    else if (isinf(v))
        tune_text_printf(t, "%sInf", v < 0 ? "-" : "");
    else
        tune_text_printf(t, "%.17g", v);
}

void tune_text_release(struct tune_text *t)
{
    if (!t)
        return;
    free(t->p);
    memset(t, 0, sizeof *t);
}

int tune_text_save(const struct tune_text *t, const char *dir, const char *name,
                   struct tune_error *err)
{
    if (t->oom)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory writing %s", name);
    size_t plen = strlen(dir) + strlen(name) + 2;
    char *path = malloc(plen);
    if (!path)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory writing %s", name);
    snprintf(path, plen, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int rc = TUNE_OK;
    if (!f) {
        rc = tune_error_set(err, TUNE_EIO, "%s: %s", path, strerror(errno));
    } else {
        size_t wrote = t->len ? fwrite(t->p, 1, t->len, f) : 0;
        int bad = wrote != t->len;
        if (fclose(f) != 0 || bad)
            rc = tune_error_set(err, TUNE_EIO, "%s: write failed", path);
    }
    free(path);
    return rc;
}

/* ---- quoting ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void tune_plot_quote(struct tune_text *t, const char *s, size_t max_chars)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    size_t chars = 0;
    tune_text_put(t, "'", 1);
    while (*u) {
        if (max_chars && chars == max_chars) {
            tune_text_put(t, "...", 3);
            break;
        }
        size_t n = utf8_len(u);
        if (n == 0) {
            tune_text_put(t, "?", 1);
            u++;
        } else if (*u == '\'') {
            tune_text_put(t, "''", 2);
            u++;
        } else if (*u < 0x20 || *u == 0x7f) {
            tune_text_put(t, " ", 1);
            u++;
        } else {
            tune_text_put(t, (const char *)u, n);
            u += n;
        }
        chars++;
    }
    tune_text_put(t, "'", 1);
}

size_t tune_plot_quote_wrapped(struct tune_text *t, const char *s, size_t width)
{
    size_t len = strlen(s), start = 0, lines = 0;
    char *line = malloc(len + 1);
    if (!line) {
        t->oom = 1;
        return 0;
    }
    while (start < len || lines == 0) {
        size_t end = len;
        if (len - start > width) {
            /* the last space within the width, else the first after it */
            end = start + width;
            while (end > start && s[end] != ' ')
                end--;
            if (end == start)
                for (end = start + width; end < len && s[end] != ' '; end++)
                    ;
        }
        memcpy(line, s + start, end - start);
        line[end - start] = '\0';
        if (lines++)
            tune_text_printf(t, " . \"\\n\" . ");
        tune_plot_quote(t, line, 0);
        start = end < len ? end + 1 : len;
    }
    free(line);
    return lines;
}

char *tune_gp_quote(const char *s)
{
    struct tune_text t = {0};
    tune_plot_quote(&t, s, 0);
    if (t.oom) {
        tune_text_release(&t);
        return NULL;
    }
    return t.p;
}

void tune_report_file_part(const char *s, char *buf, size_t max)
{
    size_t n = 0;
    for (const char *c = s ? s : ""; *c && n < max; c++) {
        unsigned char ch = (unsigned char)*c;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        buf[n++] = ok ? (char)ch : '_';
    }
    if (n == 0 && max > 0)
        buf[n++] = 'x';
    buf[n] = '\0';
}

/* ---- script preamble and rendering ---------------------------------------- */

struct tune_plot_opts tune_plot_opts_resolved(const struct tune_plot_opts *o)
{
    struct tune_plot_opts r = *o;
    if (!r.width)
        r.width = TUNE_PLOT_WIDTH_DEFAULT;
    if (!r.height)
        r.height = TUNE_PLOT_HEIGHT_DEFAULT;
    if (!(r.timeout > 0))
        r.timeout = TUNE_PLOT_TIMEOUT_DEFAULT;
    if (!r.gnuplot || !*r.gnuplot)
        r.gnuplot = "gnuplot";
    return r;
}

void tune_plot_preamble(struct tune_text *t, const struct tune_plot_opts *o, const char *base,
                        unsigned w, unsigned h)
{
    struct tune_plot_opts r = tune_plot_opts_resolved(o);
    const char *ext = tune_image_ext(r.format);
    tune_text_printf(t, "# Written by tunefold; re-render from this folder with: gnuplot %s.gp\n",
                     base);
    tune_text_printf(t, "# The data is in %s*.dat (numbers only; columns named at the top).\n",
                     base);
    if (r.format == TUNE_IMAGE_SVG)
        tune_text_printf(t, "set terminal svg size %u,%u noenhanced font 'Sans,12' "
                            "background rgb 'white'\n",
                         w ? w : r.width, h ? h : r.height);
    else
        tune_text_printf(t, "set terminal pngcairo size %u,%u noenhanced font 'Sans,11' "
                            "background rgb 'white'\n",
                         w ? w : r.width, h ? h : r.height);
    tune_text_printf(t, "set output '%s.%s'\n", base, ext);
    tune_text_printf(t, "set encoding utf8\n"
                        "set border lc rgb '#404040'\n"
                        "set grid lc rgb '#d8d8d8' lw 1\n"
                        "set key opaque box lc rgb '#b0b0b0'\n"
                        "set tics nomirror\n");
}

/* Log-axis tics.  Three kinds, the first that gives a readable axis:
 * 1, 2, 5 times powers of ten when that makes 4 to LOG_TICS_MAX tics (or
 * the finer 1, 1.5, 2, 3, 5, 7 when fewer than 4); else powers of ten alone,
 * every decade or every `step` decades (at exponents that are multiples of
 * step), with at most LOG_TICS_MAX of them and minor tics between.  Labels
 * are %g, or 10ⁿ / m×10ⁿ (Unicode superscripts: the terminals are
 * noenhanced) when some tic is outside [1e-4, 1e5), where %g would print
 * long or e-notation labels. */
#define LOG_TICS_MAX 8

static size_t log_tics_count(const double *set, double lo, double hi, int d0, int d1, int step)
{
    size_t count = 0;
    for (int d = d0; d <= d1; d++) {
        if (d % step != 0)
            continue;
        for (size_t i = 0; set[i] != 0; i++) {
            double v = set[i] * pow(10, d);
            count += v >= lo && v <= hi;
        }
    }
    return count;
}

/* "10⁻⁵" or "2×10⁻⁵" into t. */
static void power_label(struct tune_text *t, double mantissa, int e)
{
    static const char *const sup[10] = {"\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074",
                                        "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
    char digits[16];
    if (mantissa != 1)
        tune_text_printf(t, "%g\u00d7", mantissa);
    tune_text_printf(t, "10");
    if (e < 0)
        tune_text_printf(t, "\u207b");
    snprintf(digits, sizeof digits, "%d", e < 0 ? -e : e);
    for (const char *c = digits; *c; c++)
        tune_text_printf(t, "%s", sup[*c - '0']);
}

void tune_plot_log_tics(struct tune_text *t, const char *axis, double lo, double hi)
{
    static const double fine[] = {1, 1.5, 2, 3, 5, 7, 0}, std[] = {1, 2, 5, 0},
                        powers[] = {1, 0};
    int d0 = (int)floor(log10(lo)), d1 = (int)ceil(log10(hi)), step = 1;
    const double *set = std;
    size_t n = log_tics_count(std, lo, hi, d0, d1, 1);
    if (n < 4) {
        set = fine;
    } else if (n > LOG_TICS_MAX) {
        set = powers;
        while (log_tics_count(powers, lo, hi, d0, d1, step) > LOG_TICS_MAX)
            step++;
    }
    int power_form = 0;
    for (int d = d0; d <= d1; d++)
        for (size_t i = 0; set[i] != 0 && d % step == 0; i++) {
            double v = set[i] * pow(10, d);
            if (v >= lo && v <= hi && (v < 1e-4 || v >= 1e5))
                power_form = 1;
        }
    tune_text_printf(t, "set %stics (", axis);
    int first = 1;
    for (int d = d0; d <= d1; d++) {
        for (size_t i = 0; set[i] != 0; i++) {
            double v = set[i] * pow(10, d);
            if (v < lo || v > hi)
                continue;
            if (d % step != 0) { /* a skipped decade: a minor tic */
                tune_text_printf(t, "%s'' %.6g 1", first ? "" : ", ", v);
                first = 0;
                continue;
            }
            tune_text_printf(t, "%s'", first ? "" : ", ");
            if (power_form)
                power_label(t, set[i], d);
            else
                tune_text_printf(t, "%g", v);
            tune_text_printf(t, "' %.6g", v);
            first = 0;
        }
        /* minor tics at 2..9 times each power when only powers are labelled */
        for (int m = 2; set == powers && step == 1 && m <= 9; m++) {
            double v = m * pow(10, d);
            if (v >= lo && v <= hi) {
                tune_text_printf(t, "%s'' %.6g 1", first ? "" : ", ", v);
                first = 0;
            }
        }
    }
    tune_text_printf(t, ")\nset format %s '%%g'\n", axis);
}

int tune_report_mkdir(const char *dir, struct tune_error *err)
{
    size_t len = strlen(dir);
    char *p = malloc(len + 1);
    if (!p)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    memcpy(p, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            return tune_error_set(err, TUNE_EIO, "cannot create folder %s: %s", dir,
                                  strerror(e));
        }
        p[i] = c;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return tune_error_set(err, TUNE_EIO, "%s: not a folder", dir);
    return TUNE_OK;
}

static int log_image(struct tune_plot_log *log, const char *name, const char *caption,
                     struct tune_error *err)
{
    char **im = realloc(log->images, (log->n_images + 1) * sizeof *im);
    if (im)
        log->images = im;
    char **cap = im ? realloc(log->captions, (log->n_images + 1) * sizeof *cap) : NULL;
    if (!cap)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    log->captions = cap;
    im[log->n_images] = strdup(name);
    cap[log->n_images] = strdup(caption ? caption : name);
    if (!im[log->n_images] || !cap[log->n_images]) {
        free(im[log->n_images]);
        free(cap[log->n_images]);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    log->n_images++;
    return TUNE_OK;
}

void tune_plot_log_release(struct tune_plot_log *log)
{
    if (!log)
        return;
    for (size_t i = 0; i < log->n_images; i++) {
        free(log->images[i]);
        free(log->captions[i]);
    }
    free(log->images);
    free(log->captions);
    memset(log, 0, sizeof *log);
}

/* The last non-empty line of a stream tail, into buf. */
static void last_line(const char *s, size_t len, char *buf, size_t size)
{
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    size_t start = len;
    while (start > 0 && s[start - 1] != '\n')
        start--;
    size_t n = len - start < size - 1 ? len - start : size - 1;
    memcpy(buf, s + start, n);
    buf[n] = '\0';
}

/* The image was written and is of its kind. */
static int image_ok(const char *dir, const char *name, enum tune_image_format f)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (f == TUNE_IMAGE_PNG) {
        unsigned w, h;
        return tune_png_size(path, &w, &h, NULL) == TUNE_OK;
    }
    FILE *fp = fopen(path, "rb");
    char head[256] = "";
    size_t n = fp ? fread(head, 1, sizeof head - 1, fp) : 0;
    if (fp)
        fclose(fp);
    head[n] = '\0';
    return strstr(head, "<svg") != NULL || strstr(head, "<?xml") != NULL;
}

int tune_plot_finish(const struct tune_text *script, const struct tune_plot_opts *o,
                     struct tune_plot_log *log, const char *base, const char *caption,
                     struct tune_error *err)
{
    struct tune_plot_opts r = tune_plot_opts_resolved(o);
    char gp[512], image[512];
    snprintf(gp, sizeof gp, "%s.gp", base);
    snprintf(image, sizeof image, "%s.%s", base, tune_image_ext(r.format));
    int rc = tune_text_save(script, r.out_dir, gp, err);
    if (rc || (rc = log_image(log, image, caption, err)))
        return rc;
    if (log->gnuplot_missing)
        return TUNE_OK;
    /* execvp resolves a relative path against the working directory, which
     * is the output folder: anchor a relative one to ours first. */
    char *exe = NULL;
    if (strchr(r.gnuplot, '/') && r.gnuplot[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            return tune_error_set(err, TUNE_EIO, "getcwd: %s", strerror(errno));
        size_t len = strlen(cwd) + strlen(r.gnuplot) + 2;
        if (!(exe = malloc(len)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        snprintf(exe, len, "%s/%s", cwd, r.gnuplot);
    }
    const char *argv[] = {exe ? exe : r.gnuplot, gp, NULL};
    struct tune_proc_spec spec = {.argv = argv, .workdir = r.out_dir, .timeout = r.timeout};
    struct tune_proc_result res;
    struct tune_error perr = {0};
    rc = tune_proc_run(&spec, &res, &perr);
    free(exe);
    if (rc == TUNE_EIO && res.start_errno) {
        log->gnuplot_missing = 1;
        snprintf(log->missing_reason, sizeof log->missing_reason, "%s", perr.msg);
        tune_proc_result_release(&res);
        return TUNE_OK;
    }
    if (rc) {
        tune_proc_result_release(&res);
        *err = perr;
        return rc;
    }
    char line[TUNE_ERROR_MSG_MAX], why[128];
    last_line(res.stderr_tail ? res.stderr_tail : "", res.stderr_tail_len, line, sizeof line);
    if (!tune_proc_succeeded(&res)) {
        tune_proc_reason(&res, why, sizeof why);
        rc = tune_error_set(err, TUNE_EIO, "gnuplot %s on %s/%s: %s", why, r.out_dir, gp,
                            line[0] ? line : "(no message)");
    } else if (!image_ok(r.out_dir, image, r.format)) {
        rc = tune_error_set(err, TUNE_EIO, "gnuplot wrote no valid image %s/%s: %s", r.out_dir,
                            image, line[0] ? line : "(no message)");
    } else {
        log->n_rendered++;
        if (res.stderr_tail_len > 0) {
            if (log->n_warnings++ == 0)
                snprintf(log->first_warning, sizeof log->first_warning, "%.100s: %.400s", gp, line);
        }
    }
    tune_proc_result_release(&res);
    return rc;
}

/* ---- PNG ------------------------------------------------------------------ */

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | (unsigned)p[3];
}

int tune_png_size(const char *path, unsigned *width, unsigned *height, struct tune_error *err)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char h[24];
    FILE *f = fopen(path, "rb");
    if (!f)
        return tune_error_set(err, TUNE_EIO, "%s: %s", path, strerror(errno));
    size_t n = fread(h, 1, sizeof h, f);
    fclose(f);
    /* signature, then the first chunk: length 13, type IHDR, width, height */
    if (n < sizeof h || memcmp(h, sig, 8) != 0 || be32(h + 8) != 13 ||
        memcmp(h + 12, "IHDR", 4) != 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: not a PNG image", path);
    *width = be32(h + 16);
    *height = be32(h + 20);
    if (*width == 0 || *height == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: PNG of size 0", path);
    return TUNE_OK;
}
