/* kbtext and html: the information base's search tokens and its rich-text sanitiser (M2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/html.h"
#include "rules/kbtext.h"
#include "rules/t2s.h"

static void tokens_are(const char *in, const char *want)
{
    char *t = kbtext_tokens(in, 0);
    if (!t)
        fail_msg("tokens of \"%s\": NULL", in);
    if (strcmp(t, want) != 0)
        fail_msg("tokens of \"%s\" = \"%s\", expected \"%s\"", in, t, want);
    free(t);
}

static void query_is(const char *in, const char *want, int want_groups)
{
    int g = -1;
    char *t = kbtext_query(in, &g);
    if (!t)
        fail_msg("query \"%s\": NULL", in);
    if (strcmp(t, want) != 0)
        fail_msg("query \"%s\" = \"%s\", expected \"%s\"", in, t, want);
    assert_int_equal(g, want_groups);
    free(t);
}

static void cjk_single_characters(void **state)
{
    (void)state;
    tokens_are("电视", "u7535 u89c6");
    tokens_are("电视机没有声音", "u7535 u89c6 u673a u6ca1 u6709 u58f0 u97f3");
    tokens_are("", "");
    tokens_are("，。！", "");
}

static void traditional_to_simplified(void **state)
{
    (void)state;
    tokens_are("電視", "u7535 u89c6");   /* 電視 -> 电视 */
    tokens_are("遙控器", "u9065 u63a7 u5668"); /* 遙 -> 遥 */
    char *a = kbtext_tokens("保修條款", 0), *b = kbtext_tokens("保修条款", 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void full_width_and_case(void **state)
{
    (void)state;
    tokens_are("ＰｌａｙＳｔａｔｉｏｎ　５", "playstation 5");
    tokens_are("HDMI Cable", "hdmi cable");
    tokens_are("ＫＤ－５５Ｘ８５Ｋ", "kd55x85k");
    tokens_are("Straße", "strasse");
}

static void model_numbers_whole(void **state)
{
    (void)state;
    tokens_are("KD-55X85K", "kd55x85k");
    tokens_are("kd-55x85k", "kd55x85k");
    tokens_are("XR-65A95L/KD-55X85K", "xr65a95l kd55x85k");
    tokens_are("CFI-2000 -", "cfi2000");
    tokens_are("a - b", "a b");
}

static void mixed_zh_en(void **state)
{
    (void)state;
    tokens_are("索尼KD-55X85K电视", "u7d22 u5c3c kd55x85k u7535 u89c6");
    tokens_are("Wi-Fi 连接", "wifi u8fde u63a5");
    tokens_are("Müller", "mufcller");
}

static void query_phrases(void **state)
{
    (void)state;
    query_is("电视", "u7535 u89c6", 1);
    query_is("KD-55X85K 遥控", "kd55x85k\nu9065 u63a7", 2);
    query_is("屏幕，闪烁", "u5c4f u5e55\nu95ea u70c1", 2);
    query_is("   ", "", 0);
    query_is("！？", "", 0);
    query_is("kd-55X85k", "kd55x85k", 1);
}

static void limits(void **state)
{
    (void)state;
    char big[200];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *t = kbtext_tokens(big, 0);
    assert_int_equal(strlen(t), KBTEXT_WORD_MAX);
    free(t);
    t = kbtext_tokens("一二三四五", 3);
    assert_string_equal(t, "u4e00 u4e8c u4e09");
    free(t);
    assert_null(kbtext_tokens("bad \xff utf8", 0));
    int g;
    assert_null(kbtext_query("\xc3", &g));
}

static void bigrams_are(const char *tokens, const char *want)
{
    char *b = kbtext_bigrams(tokens);
    if (!b || strcmp(b, want) != 0)
        fail_msg("bigrams of \"%s\" = \"%s\", expected \"%s\"", tokens, b ? b : "NULL", want);
    free(b);
}

static void bigram_stream(void **state)
{
    (void)state;
    bigrams_are("u7535 u89c6 u673a", "u7535x89c6 u89c6x673a");
    bigrams_are("u7d22 u5c3c kd55x85k u7535 u89c6", "u7d22x5c3c kd55x85k u7535x89c6");
    bigrams_are("a u4e2d b", "a u4e2d b");
    bigrams_are("u7535 u89c6 a u89c6 u673a", "u7535x89c6 a u89c6x673a");
    bigrams_are("u4e2d", "u4e2d");
    bigrams_are("u2 u4e2d", "u2 u4e2d"); /* u2 is a word, not a character */
    bigrams_are("", "");
    assert_true(kbtext_cjk_run("u7535 u89c6"));
    assert_false(kbtext_cjk_run("u7535"));
    assert_false(kbtext_cjk_run("u7535 kd55x85k"));
    assert_false(kbtext_cjk_run("hdmi cable"));
}

/* ---- sanitiser ---- */

static void clean_is(const char *in, const char *want)
{
    char *out = html_sanitize(in, NULL);
    if (!out)
        fail_msg("sanitize \"%s\": NULL", in);
    if (strcmp(out, want) != 0)
        fail_msg("sanitize \"%s\"\n = \"%s\"\n expected \"%s\"", in, out, want);
    free(out);
}

static void keeps_allowed(void **state)
{
    (void)state;
    clean_is("<p>Hello <b>world</b></p>", "<p>Hello <b>world</b></p>");
    clean_is("<P CLASS=x>a<BR>b</P>", "<p>a<br>b</p>");
    clean_is("<a href=\"https://www.sony.com.cn/\" title=\"t\">x</a>",
             "<a href=\"https://www.sony.com.cn/\" title=\"t\">x</a>");
    clean_is("<img src=\"/api/v1/public/kb/images/I000001\" alt=\"图\" width=\"300\">",
             "<img src=\"/api/v1/public/kb/images/I000001\" alt=\"图\" width=\"300\">");
    clean_is("<table><tr><td colspan=2>x</td></tr></table>",
             "<table><tr><td colspan=\"2\">x</td></tr></table>");
    clean_is("a &amp; b &lt; c &#x4e2d; &copy;", "a &amp; b &lt; c 中 &amp;copy;");
}

static void drops_scripts(void **state)
{
    (void)state;
    clean_is("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>");
    clean_is("<SCRIPT src=x.js></SCRIPT>ok", "ok");
    clean_is("<script>never closed", "");
    clean_is("<style>p{color:red}</style>x", "x");
    clean_is("<iframe src=https://evil></iframe>x", "x");
    clean_is("<svg><script>alert(1)</script></svg>x", "x");
    clean_is("<!-- <script>alert(1)</script> -->x", "x");
    clean_is("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)");
}

static void drops_handlers_and_styles(void **state)
{
    (void)state;
    clean_is("<img src=x onerror=alert(1)>", "<img src=\"x\">");
    clean_is("<img src=\"x\" onerror=\"alert(1)\" style=\"width:expression(alert(1))\">",
             "<img src=\"x\">");
    clean_is("<p onclick='x()' style='background:url(javascript:alert(1))'>t</p>", "<p>t</p>");
    clean_is("<div ONMOUSEOVER=alert(1)>t</div>", "<div>t</div>");
    clean_is("<a href=\"x\" \" onclick=alert(1)>t</a>", "<a href=\"x\">t</a>");
}

static void drops_bad_urls(void **state)
{
    (void)state;
    clean_is("<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>");
    clean_is("<a href=\"JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>");
    clean_is("<a href=\"jav&#x61;script:alert(1)\">x</a>", "<a>x</a>");
    clean_is("<a href=\"java\tscript:alert(1)\">x</a>", "<a>x</a>");
    clean_is("<a href=\"javascript&colon;alert(1)\">x</a>", "<a>x</a>");
    clean_is("<a href=\" vbscript:x\">x</a>", "<a>x</a>");
    clean_is("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", "<img>");
    clean_is("<img src=\"http://x/y.png\">", "<img>");
    clean_is("<a href=\"mailto:cs@sony.com.cn\">m</a>", "<a href=\"mailto:cs@sony.com.cn\">m</a>");
    clean_is("<a href=\"/kb/K1?a=1&amp;b=2\">r</a>", "<a href=\"/kb/K1?a=1&amp;b=2\">r</a>");
}

static void well_formed(void **state)
{
    (void)state;
    clean_is("<p><b>x</p>y", "<p><b>x</b></p>y");
    clean_is("</p>x</b>", "x");
    clean_is("<ul><li>a<li>b</ul>", "<ul><li>a<li>b</li></li></ul>");
    clean_is("1 < 2 > 0 \"q\"", "1 &lt; 2 &gt; 0 &quot;q&quot;");
    clean_is("<a href=\"x\"", "<a href=\"x\"></a>");
    char deep[64 * 3 * 2 + 10] = "";
    for (int i = 0; i < 70; i++)
        strcat(deep, "<b>");
    char *out = html_sanitize(deep, NULL);
    assert_non_null(out);
    assert_int_equal(strlen(out), 64 * 3 + 64 * 4);
    free(out);
}

static void plain_text(void **state)
{
    (void)state;
    char *text = NULL;
    char *out = html_sanitize("<h2>标题</h2><p>第一段&amp;<script>x</script></p><p>二</p>", &text);
    assert_non_null(out);
    assert_string_equal(text, " 标题  第一段&  二 ");
    free(out);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cjk_single_characters), cmocka_unit_test(traditional_to_simplified),
        cmocka_unit_test(full_width_and_case),   cmocka_unit_test(model_numbers_whole),
        cmocka_unit_test(mixed_zh_en),           cmocka_unit_test(query_phrases),
        cmocka_unit_test(limits),                cmocka_unit_test(bigram_stream),
        cmocka_unit_test(keeps_allowed),
        cmocka_unit_test(drops_scripts),         cmocka_unit_test(drops_handlers_and_styles),
        cmocka_unit_test(drops_bad_urls),        cmocka_unit_test(well_formed),
        cmocka_unit_test(plain_text),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rules_t2s_close();
    return rc;
}
