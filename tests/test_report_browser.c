/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_report_browser.c — the report pages opened in a real browser.
 *
 * Two studies are run and reported (`tunefold report`, PNG and SVG
 * pictures) and compared (`tunefold compare`); every page is then checked:
 *  - statically: every src, href and data attribute names a file of the
 *    folder or an id of the page, and nothing refers to the network;
 *  - in headless Chromium (Debian's `chromium`; $TUNEFOLD_CHROMIUM
 *    overrides): a harness page beside the report loads it in an iframe and,
 *    once everything has loaded, writes into its own DOM whether every
 *    image decoded (naturalWidth > 0), every <object> holds an SVG
 *    document, and every in-page link finds its target; --dump-dom prints
 *    that DOM.  The console (--enable-logging=stderr) must stay silent: no
 *    script error, no message;
 *  - rendered: a screenshot of the page (--screenshot) is decoded (a small
 *    PNG reader on zlib) and must not be blank — several colours, and a
 *    share of the pixels that are not background.
 * Without chromium (or gnuplot, which draws the pictures) the tests say
 * they are skipped.  Each Chromium run gets a new empty profile and the
 * flags that keep it off the network. */
#include "testutil.h"

#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <zlib.h>

TestSuite(browser, .init = tu_watchdog);

static const char *chromium(void)
{
    const char *c = getenv("TUNEFOLD_CHROMIUM");
    if (c && *c)
        return c;
    return system("command -v chromium >/dev/null 2>&1") == 0 ? "chromium" : NULL;
}

static void need_browser(void)
{
    if (!chromium())
        cr_skip_test("chromium is not installed: the report pages were not opened in a browser "
                     "(scripts/install-deps --browser)");
    if (system("gnuplot --version >/dev/null 2>&1") != 0)
        cr_skip_test("gnuplot is not installed: no pictures for the browser to load");
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char *out = NULL, *err = NULL;
    int rc = tu_run(cmd, &out, &err);
    cr_assert_eq(rc, 0, "%s\nexit %d\n%s%s", cmd, rc, out, err);
    free(out);
    free(err);
    return rc;
}

/* ---- the static check -------------------------------------------------------- */

static int file_in(const char *dir, const char *name, size_t len)
{
    char path[2048];
    struct stat st;
    snprintf(path, sizeof path, "%s/%.*s", dir, (int)len, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Every src=, href= and data= of the page resolves; returns how many. */
static size_t check_references(const char *dir, const char *page)
{
    char *html = tu_read(dir, page);
    cr_assert_not_null(html, "no %s/%s", dir, page);
    cr_assert_null(strstr(html, "http:"), "%s refers to the network", page);
    cr_assert_null(strstr(html, "https:"), "%s refers to the network", page);
    cr_assert_null(strstr(html, "<script"), "%s carries a script", page);
    static const char *const attrs[] = {" src=\"", " href=\"", " data=\""};
    size_t n = 0;
    for (size_t a = 0; a < 3; a++) {
        for (const char *p = html; (p = strstr(p, attrs[a])) != NULL;) {
            p += strlen(attrs[a]);
            const char *end = strchr(p, '"');
            cr_assert_not_null(end);
            size_t len = (size_t)(end - p);
            if (p[0] == '#') {
                char id[300];
                snprintf(id, sizeof id, "id=\"%.*s\"", (int)len - 1, p + 1);
                cr_assert_not_null(strstr(html, id), "%s: no target for %.*s", page, (int)len,
                                   p);
            } else {
                cr_assert(file_in(dir, p, len), "%s: %.*s is not in %s", page, (int)len, p, dir);
            }
            n++;
        }
    }
    free(html);
    return n;
}

/* ---- chromium ------------------------------------------------------------------ */

/* Run chromium on `url` with `what` (--dump-dom, or --screenshot=PATH);
 * stdout into *out, stderr (the console) into *err. */
static void run_chromium(const char *what, const char *url, char **out, char **err)
{
    char *profile = tu_tmpdir(), cmd[4096];
    snprintf(cmd, sizeof cmd,
             "timeout 120 %s --headless --no-sandbox --disable-gpu --disable-quic "
             "--no-first-run --disable-background-networking --disable-component-update "
             "--disable-sync --user-data-dir='%s' --enable-logging=stderr --v=0 "
             "--allow-file-access-from-files --hide-scrollbars --window-size=1280,2400 "
             "--virtual-time-budget=15000 %s '%s'",
             chromium(), profile, what, url);
    int rc = tu_run(cmd, out, err);
    cr_assert_eq(rc, 0, "%s\nexit %d\n%s", cmd, rc, *err);
    char rm[700];
    snprintf(rm, sizeof rm, "rm -rf '%s'", profile);
    cr_assert_eq(system(rm), 0);
    free(profile);
}

/* No console message of the page (chromium logs them as "INFO:CONSOLE"). */
static void assert_quiet_console(const char *err, const char *page)
{
    const char *c = strstr(err, ":CONSOLE");
    if (c) {
        const char *line = c;
        while (line > err && line[-1] != '\n')
            line--;
        const char *end = strchr(c, '\n');
        cr_assert_fail("%s: the console says: %.*s", page,
                       (int)(end ? end - line : (long)strlen(line)), line);
    }
}

static const char harness[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>harness</title></head><body>\n"
    "<pre id=\"result\">pending</pre>\n"
    "<iframe id=\"page\" src=\"%s\" style=\"width:1280px;height:900px\"></iframe>\n"
    "<script>\n"
    "window.addEventListener('load', function () {\n"
    "  var out = [];\n"
    "  try {\n"
    "    var d = document.getElementById('page').contentDocument;\n"
    "    var imgs = d.images, n_img = 0, n_obj = 0, n_link = 0;\n"
    "    for (var i = 0; i < imgs.length; i++) {\n"
    "      if (imgs[i].parentNode.nodeName === 'OBJECT') continue; /* a fallback */\n"
    "      n_img++;\n"
    "      if (!imgs[i].complete || imgs[i].naturalWidth === 0)\n"
    "        out.push('broken image ' + imgs[i].getAttribute('src'));\n"
    "    }\n"
    "    var objs = d.getElementsByTagName('object');\n"
    "    for (var i = 0; i < objs.length; i++) {\n"
    "      n_obj++;\n"
    "      var od = objs[i].contentDocument;\n"
    "      if (!od || !od.documentElement || od.documentElement.nodeName !== 'svg')\n"
    "        out.push('broken object ' + objs[i].getAttribute('data'));\n"
    "    }\n"
    "    var links = d.getElementsByTagName('a');\n"
    "    for (var i = 0; i < links.length; i++) {\n"
    "      var h = links[i].getAttribute('href');\n"
    "      n_link++;\n"
    "      if (h.charAt(0) === '#' && !d.getElementById(h.substring(1)))\n"
    "        out.push('broken link ' + h);\n"
    "    }\n"
    "    if (!d.body || d.body.innerText.length < 100) out.push('empty page');\n"
    "    out.push('checked ' + n_img + ' images ' + n_obj + ' objects ' + n_link + ' links');\n"
    "  } catch (e) { out.push('harness error ' + e); }\n"
    "  document.getElementById('result').textContent = out.join('\\n');\n"
    "});\n"
    "</script></body></html>\n";

/* The harness's verdict on dir/page: "checked N images M objects K links"
 * and nothing else; *n_images, *n_objects receive the counts. */
static void check_in_browser(const char *dir, const char *page, size_t *n_images,
                             size_t *n_objects)
{
    char url[2048], text[4096], *out = NULL, *err = NULL;
    snprintf(url, sizeof url, "file://%s/%s", dir, page);
    snprintf(text, sizeof text, harness, url);
    char *path = tu_write(dir, "harness.html", text);
    char hurl[2048];
    snprintf(hurl, sizeof hurl, "file://%s", path);
    run_chromium("--dump-dom", hurl, &out, &err);
    const char *r = strstr(out, "<pre id=\"result\">");
    cr_assert_not_null(r, "no result in the DOM:\n%s", out);
    r += strlen("<pre id=\"result\">");
    size_t imgs = 0, objs = 0, links = 0;
    cr_assert_eq(sscanf(r, "checked %zu images %zu objects %zu links", &imgs, &objs, &links), 3,
                 "%s: %.600s", page, r);
    cr_assert_gt(links, 0);
    assert_quiet_console(err, page);
    *n_images = imgs;
    *n_objects = objs;
    unlink(path);
    free(path);
    free(out);
    free(err);
}

/* ---- a PNG reader (8-bit RGB or RGBA, not interlaced: what Chromium writes) -- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Decode the PNG at path: *w, *h, *bpp (3 or 4) and the pixels (caller frees). */
static unsigned char *png_decode(const char *path, uint32_t *w, uint32_t *h, int *bpp)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "no screenshot %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)size);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    cr_assert(size > 33 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0, "not a PNG");
    unsigned char *idat = malloc((size_t)size);
    size_t idat_len = 0;
    int depth = 0, type = 0, interlace = 0;
    for (long p = 8; p + 12 <= size;) {
        uint32_t len = be32(buf + p);
        const unsigned char *tag = buf + p + 4, *data = buf + p + 8;
        cr_assert(p + 12 + (long)len <= size, "truncated PNG");
        if (memcmp(tag, "IHDR", 4) == 0) {
            *w = be32(data);
            *h = be32(data + 4);
            depth = data[8];
            type = data[9];
            interlace = data[12];
        } else if (memcmp(tag, "IDAT", 4) == 0) {
            memcpy(idat + idat_len, data, len);
            idat_len += len;
        }
        p += 12 + (long)len;
    }
    cr_assert(depth == 8 && (type == 2 || type == 6) && interlace == 0,
              "PNG of depth %d, colour type %d, interlace %d", depth, type, interlace);
    *bpp = type == 6 ? 4 : 3;
    size_t stride = (size_t)*w * (size_t)*bpp;
    uLongf raw_len = (uLongf)((stride + 1) * *h);
    unsigned char *raw = malloc(raw_len), *px = malloc(stride * *h);
    cr_assert_eq(uncompress(raw, &raw_len, idat, (uLong)idat_len), Z_OK, "bad zlib data");
    cr_assert_eq(raw_len, (stride + 1) * *h);
    for (uint32_t y = 0; y < *h; y++) {
        const unsigned char *in = raw + y * (stride + 1) + 1;
        unsigned char *row = px + y * stride, *up = y ? row - stride : NULL;
        int filter = in[-1];
        for (size_t x = 0; x < stride; x++) {
            int a = x >= (size_t)*bpp ? row[x - (size_t)*bpp] : 0, b = up ? up[x] : 0,
                c = up && x >= (size_t)*bpp ? up[x - (size_t)*bpp] : 0, v = in[x];
            switch (filter) {
            case 1: v += a; break;
            case 2: v += b; break;
            case 3: v += (a + b) / 2; break;
            case 4: v += paeth(a, b, c); break;
            default: break;
            }
            row[x] = (unsigned char)v;
        }
    }
    free(raw);
    free(idat);
    free(buf);
    return px;
}

/* The screenshot shows something: colours beyond a handful and at least
 * 3% of the pixels away from the background (the top-left pixel's). */
static void assert_not_blank(const char *dir, const char *page)
{
    char url[2048], shot[1024], what[1100], *out = NULL, *err = NULL;
    snprintf(url, sizeof url, "file://%s/%s", dir, page);
    snprintf(shot, sizeof shot, "%s/%s.screenshot.png", dir, page);
    snprintf(what, sizeof what, "--screenshot='%s'", shot);
    run_chromium(what, url, &out, &err);
    assert_quiet_console(err, page);
    uint32_t w = 0, h = 0;
    int bpp = 0;
    unsigned char *px = png_decode(shot, &w, &h, &bpp);
    cr_assert_eq(w, 1280);
    cr_assert_eq(h, 2400);
    size_t other = 0, colours = 0;
    uint32_t seen[64];
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const unsigned char *p = px + i * (size_t)bpp;
        if (abs(p[0] - px[0]) + abs(p[1] - px[1]) + abs(p[2] - px[2]) > 24)
            other++;
        uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        size_t k = 0;
        while (k < colours && seen[k] != rgb)
            k++;
        if (k == colours && colours < 64)
            seen[colours++] = rgb;
    }
    cr_assert_geq(colours, 16, "%s renders %zu colours", page, colours);
    cr_assert_gt(other, (size_t)w * h * 3 / 100, "%s is blank: %zu pixels drawn", page, other);
    unlink(shot);
    free(px);
    free(out);
    free(err);
}

/* ---- the pages ------------------------------------------------------------------ */

static const char study_text[] =
    "{\"name\": \"%s\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"}, \"task\": \"binary\","
    " \"trainer\": {\"name\": \"svm\", \"params\": {\"kernel\": \"rbf\"}},"
    " \"space\": {\"C\": {\"type\": \"float\", \"low\": 0.03125, \"high\": 1024, \"scale\": "
    "\"log\"}, \"gamma\": {\"type\": \"float\", \"low\": 0.0001, \"high\": 8, \"scale\": "
    "\"log\"}, \"shrinking\": {\"type\": \"bool\"}},"
    " \"preprocess\": {\"scale\": \"minmax\"}, \"search\": {\"strategy\": \"%s\", \"trials\": 12,"
    " \"seed\": 5}, \"cv\": {\"folds\": 3}%s}";

/* Two studies in dir/t.db: "svm-random", which stops trials early (fold
 * pruning: pruned trials on the timeline, the savings on the page), and
 * "svm-sobol". */
static void make_studies(const char *dir)
{
    char cwd[512], text[2048];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    static const char *const strategies[2] = {"random", "sobol"};
    for (size_t i = 0; i < 2; i++) {
        char name[40], file[64];
        snprintf(name, sizeof name, "svm-%s", strategies[i]);
        snprintf(file, sizeof file, "%s.json", name);
        snprintf(text, sizeof text, study_text, name, cwd, strategies[i],
                 i == 0 ? ", \"pruning\": {\"strategy\": \"folds\"}" : "");
        free(tu_write(dir, file, text));
        sh("%s run '%s/%s' --db '%s/t.db'", tu_bin(), dir, file, dir);
    }
}

Test(browser, every_report_page_loads_whole_renders_and_stays_quiet)
{
    need_browser();
    char *dir = tu_tmpdir(), bin[1200];
    make_studies(dir);
    /* the command, from the report folders */
    if (tu_bin()[0] == '/') {
        snprintf(bin, sizeof bin, "%s", tu_bin());
    } else {
        char cwd[600];
        cr_assert_not_null(getcwd(cwd, sizeof cwd));
        snprintf(bin, sizeof bin, "%s/%s", cwd, tu_bin());
    }
    /* the report with PNG pictures (SVG twins for hover), with SVG pictures,
     * and the comparison */
    sh("cd '%s' && %s report --db t.db --study svm-random --out png", dir, bin);
    sh("cd '%s' && %s report --db t.db --study svm-random --out svg --image svg", dir, bin);
    sh("cd '%s' && %s compare --db t.db svm-random svm-sobol --out cmp", dir, bin);
    static const struct {
        const char *folder, *page;
        size_t min_images, min_objects;
    } pages[] = {{"png", "index.html", 8, 4}, {"svg", "index.html", 8, 4},
                 {"cmp", "compare.html", 2, 0}};
    /* the pruned trials reached the page and the timeline */
    char png[800];
    snprintf(png, sizeof png, "%s/png", dir);
    char *html = tu_read(png, "index.html"), *timeline = tu_read(png, "timeline.gp");
    cr_assert_not_null(strstr(html, "<p>Early stopping (<b>folds</b>): "), "%s", html);
    cr_assert_not_null(strstr(timeline, "title 'pruned ("), "%s", timeline);
    free(html);
    free(timeline);
    for (size_t i = 0; i < 3; i++) {
        char folder[800];
        snprintf(folder, sizeof folder, "%s/%s", dir, pages[i].folder);
        cr_assert_gt(check_references(folder, pages[i].page), pages[i].min_images);
        size_t imgs = 0, objs = 0;
        check_in_browser(folder, pages[i].page, &imgs, &objs);
        cr_assert_geq(imgs, pages[i].min_images, "%s/%s: %zu images", pages[i].folder,
                      pages[i].page, imgs);
        cr_assert_geq(objs, pages[i].min_objects, "%s/%s: %zu objects", pages[i].folder,
                      pages[i].page, objs);
        assert_not_blank(folder, pages[i].page);
    }
    char rm[800];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(dir);
}

Test(browser, a_broken_picture_and_a_script_error_are_caught)
{
    /* the checks themselves can fail: a page with a missing image and a
     * failing script */
    need_browser();
    char *dir = tu_tmpdir();
    free(tu_write(dir, "bad.html",
                  "<!DOCTYPE html><html><body><h1>bad</h1><p>" /* long enough text */
                  "This page is broken on purpose: its picture is missing and its script "
                  "fails.</p><img src=\"missing.png\"><a href=\"#nowhere\">x</a>"
                  "<script>undefinedFunction();</script></body></html>"));
    char url[800], text[4096], hurl[900], *out = NULL, *err = NULL;
    snprintf(url, sizeof url, "file://%s/bad.html", dir);
    snprintf(text, sizeof text, harness, url);
    free(tu_write(dir, "harness.html", text));
    snprintf(hurl, sizeof hurl, "file://%s/harness.html", dir);
    run_chromium("--dump-dom", hurl, &out, &err);
    cr_assert_not_null(strstr(out, "broken image missing.png"), "%s", out);
    cr_assert_not_null(strstr(out, "broken link #nowhere"), "%s", out);
    cr_assert_not_null(strstr(err, ":CONSOLE"), "the script error reaches the log");
    cr_assert_not_null(strstr(err, "undefinedFunction"));
    free(out);
    free(err);
    char rm[800];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(dir);
}
