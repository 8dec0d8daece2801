/* identity: phone, email, name and region normalisation, and match strength (M1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <utf8proc.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/identity.h"
#include "rules/t2s.h"

/* ---- phones ---- */

static void phone_ok(const char *in, const char *want, int want_kind)
{
    char out[IDENTITY_PHONE_MAX];
    int kind = 0;
    if (identity_phone(in, out, &kind) != 0)
        fail_msg("phone \"%s\" refused, expected %s", in, want);
    if (strcmp(out, want) != 0)
        fail_msg("phone \"%s\" -> %s, expected %s", in, out, want);
    assert_int_equal(kind, want_kind);
}

static void phone_bad(const char *in)
{
    char out[IDENTITY_PHONE_MAX];
    if (identity_phone(in, out, NULL) != -1)
        fail_msg("phone \"%s\" accepted as %s", in, out);
    assert_string_equal(out, "");
}

static void phones_mobile_forms(void **state)
{
    const char *forms[] = {
        "13800138000",         "138 0013 8000",          "138-0013-8000",
        "+86 138-0013-8000",   "+8613800138000",         "0086 138 0013 8000",
        "008613800138000",     "8613800138000",          "86 138 0013 8000",
        "(+86) 138 0013 8000", "１３８００１３８０００", "＋８６　１３８－００１３－８０００",
        "138.0013.8000",       " 13800138000 ",          "138—0013—8000",
        "138/0013/8000",       "+86-138-0013-8000",      "\t13800138000\t",
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        phone_ok(forms[i], "13800138000", IDENTITY_MOBILE);
    phone_ok("19912345678", "19912345678", IDENTITY_MOBILE);
    phone_ok("170 1234 5678", "17012345678", IDENTITY_MOBILE);
    phone_ok("+86 15000000000", "15000000000", IDENTITY_MOBILE);
}

static void phones_landline_keeps_area_code(void **state)
{
    phone_ok("021-6234 5678", "02162345678", IDENTITY_LANDLINE);
    phone_ok("(021) 62345678", "02162345678", IDENTITY_LANDLINE);
    phone_ok("+86 21 6234 5678", "02162345678", IDENTITY_LANDLINE);
    phone_ok("+86 (0)21 6234 5678", "02162345678", IDENTITY_LANDLINE);
    phone_ok("0086 21 62345678", "02162345678", IDENTITY_LANDLINE);
    phone_ok("86-21-62345678", "02162345678", IDENTITY_LANDLINE);
    phone_ok("010-8599 0000", "01085990000", IDENTITY_LANDLINE);
    phone_ok("+86 10 8599 0000", "01085990000", IDENTITY_LANDLINE);
    phone_ok("0755-8888 9999", "075588889999", IDENTITY_LANDLINE);
    phone_ok("+86 755 8888 9999", "075588889999", IDENTITY_LANDLINE);
    phone_ok("0571-8765432", "05718765432", IDENTITY_LANDLINE); /* 7-digit subscriber */
    phone_ok("０２１－６２３４５６７８", "02162345678", IDENTITY_LANDLINE);
    phone_ok("0898 6543 2100", "089865432100", IDENTITY_LANDLINE);
}

static void phones_invalid(void **state)
{
    const char *bad[] = {
        NULL,
        "",
        "   ",
        "12345",
        "1380013800",      /* 10 digits */
        "138001380001",    /* 12 digits, starts with 1 */
        "12800138000",     /* no mobile range 12x */
        "10086",           /* service short code */
        "+1 415 555 0100", /* another country */
        "+44 20 7946 0958",
        "00 1 415 555 0100",
        "138OO138OOO", /* letters O for zeros */
        "13800138000 ext 12",
        "13800138000#1",
        "021-6234567",     /* 021 needs 8 subscriber digits */
        "021-0234 5678",   /* subscriber starts with 0 */
        "021-1234 5678",   /* subscriber starts with 1 */
        "0021 6234 5678",  /* 00 is not an area code */
        "011-62345678",    /* 011 is not an area code */
        "0755-888 999",    /* too short */
        "0755-8888 99990", /* too long */
        "62345678",        /* no area code */
        "1+3800138000",    /* misplaced plus */
        "++8613800138000",
        "138 0013 8000 138 0013 8000",
        "tel:13800138000",
        "\xff\xfe", /* not UTF-8 */
        "１３８００１３８０００Ａ",
        "+86",
        "0086",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        phone_bad(bad[i]);
}

static void phone_digits_for_tail_search(void **state)
{
    char out[IDENTITY_PHONE_MAX];
    assert_int_equal(identity_phone_digits("8000", out), 4);
    assert_string_equal(out, "8000");
    assert_int_equal(identity_phone_digits("８０００", out), 4);
    assert_string_equal(out, "8000");
    assert_int_equal(identity_phone_digits("0013-8000", out), 8);
    assert_string_equal(out, "00138000");
    assert_int_equal(identity_phone_digits("800", out), -1);
    assert_int_equal(identity_phone_digits("80a0", out), -1);
    assert_int_equal(identity_phone_digits("+8000", out), -1);
    assert_int_equal(identity_phone_digits("1234567890123", out), -1);
}

static void phone_reverse(void **state)
{
    char out[IDENTITY_PHONE_MAX];
    identity_phone_reverse("13800138000", out);
    assert_string_equal(out, "00083100831");
    identity_phone_reverse("", out);
    assert_string_equal(out, "");
}

/* ---- emails ---- */

static void email_ok(const char *in, const char *want)
{
    char out[IDENTITY_EMAIL_MAX];
    if (identity_email(in, out) != 0)
        fail_msg("email \"%s\" refused", in);
    if (strcmp(out, want) != 0)
        fail_msg("email \"%s\" -> %s, expected %s", in, out, want);
}

static void email_bad(const char *in)
{
    char out[IDENTITY_EMAIL_MAX];
    if (identity_email(in, out) != -1)
        fail_msg("email \"%s\" accepted as %s", in, out);
}

static void emails_normalised(void **state)
{
    email_ok("zhang.wei@example.com", "zhang.wei@example.com");
    email_ok("Zhang.Wei@Example.COM", "zhang.wei@example.com");
    email_ok("  LI.NA@163.COM \t", "li.na@163.com");
    email_ok("ｌｉｎａ＠１６３．ｃｏｍ", "lina@163.com"); /* full-width */
    email_ok("　wang@qq.com　", "wang@qq.com");           /* ideographic spaces */
    email_ok("a+tag@sub.example.com.cn", "a+tag@sub.example.com.cn");
    email_ok("o'brien@example.ie", "o'brien@example.ie");
    email_ok("x@a-b.cn", "x@a-b.cn");
    email_ok("user_1990@126.com", "user_1990@126.com");
}

static void emails_invalid(void **state)
{
    const char *bad[] = {
        NULL,
        "",
        "  ",
        "plainaddress",
        "@example.com",
        "user@",
        "user@example",
        "user@@example.com",
        "a@b@example.com",
        "user@.example.com",
        "user@example..com",
        "user@-example.com",
        "user@example-.com",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "us er@example.com",
        "user@exa mple.com",
        "user@example.c",
        "user@example.c0m",
        "用户@例子.中国",
        "user@例子.com",
        "user(comment)@example.com",
        "user@example.com.",
        "\xc3\x28@example.com",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        email_bad(bad[i]);
    char longlocal[80];
    memset(longlocal, 'a', 65);
    strcpy(longlocal + 65, "@example.com");
    email_bad(longlocal);
    char huge[300];
    memset(huge, 'a', 60);
    huge[60] = '@';
    for (int i = 61; i < 290; i += 10)
        memcpy(huge + i, "abcdefghi.", 10);
    strcpy(huge + 290, "com");
    email_bad(huge);
}

/* ---- names ---- */

static void key_ok(const char *in, const char *want)
{
    char out[IDENTITY_NAME_KEY_MAX];
    if (identity_name_key(in, out) != 0)
        fail_msg("name \"%s\" refused", in);
    if (strcmp(out, want) != 0)
        fail_msg("name \"%s\" -> \"%s\", expected \"%s\"", in, out, want);
}

static void names_keys(void **state)
{
    key_ok("张伟", "张伟");
    key_ok("張偉", "张伟");    /* traditional -> simplified */
    key_ok(" 张 伟 ", "张伟"); /* spaces */
    key_ok("张　伟", "张伟");  /* ideographic space */
    key_ok("劉德華", "刘德华");
    key_ok("陳小明", "陈小明");
    key_ok("歐陽娜娜", "欧阳娜娜");
    key_ok("阿卜杜·热合曼", "阿卜杜热合曼");     /* middle dot */
    key_ok("阿卜杜・热合曼", "阿卜杜热合曼");    /* katakana middle dot */
    key_ok("阿卜杜･热合曼", "阿卜杜热合曼");     /* half-width katakana middle dot */
    key_ok("阿卜杜‧热合曼", "阿卜杜热合曼");     /* hyphenation point */
    key_ok("阿卜杜•热合曼", "阿卜杜热合曼");     /* bullet */
    key_ok("Anna MÜLLER", "annamüller");         /* case fold keeps ü */
    key_ok("ＪＯＨＮ　ＳＭＩＴＨ", "johnsmith"); /* full-width letters */
    key_ok("John\tSmith", "johnsmith");
    key_ok("Straße", "strasse");        /* full case folding */
    key_ok("李\xe2\x80\x8b娜", "李娜"); /* zero-width space ignored */
    key_ok("王小明", "王小明");         /* simplified stays */
    key_ok("㈱", "(株)");               /* NFKC compatibility */
}

static void names_keys_invalid(void **state)
{
    char out[IDENTITY_NAME_KEY_MAX];
    assert_int_equal(identity_name_key(NULL, out), -1);
    assert_int_equal(identity_name_key("", out), -1);
    assert_int_equal(identity_name_key("   ", out), -1);
    assert_int_equal(identity_name_key("·", out), -1);
    assert_int_equal(identity_name_key("李\x01娜", out), -1);
    assert_int_equal(identity_name_key("\xe5\xbc", out), -1); /* truncated UTF-8 */
}

static void names_display(void **state)
{
    char out[512];
    assert_int_equal(identity_name("  张伟  ", out, sizeof out), 0);
    assert_string_equal(out, "张伟");
    assert_int_equal(identity_name("　張 偉　", out, sizeof out), 0);
    assert_string_equal(out, "張 偉"); /* the display form keeps what was typed */
    assert_int_equal(identity_name("", out, sizeof out), -3);
    assert_int_equal(identity_name("   ", out, sizeof out), -3);
    assert_int_equal(identity_name(NULL, out, sizeof out), -3);
    assert_int_equal(identity_name("a\nb", out, sizeof out), -1);
    assert_int_equal(identity_name("\xff", out, sizeof out), -1);
    assert_int_equal(identity_name("··", out, sizeof out), -1);
    /* 100 characters fit, 101 do not */
    char name[600] = "";
    for (int i = 0; i < 100; i++)
        strcat(name, "张");
    assert_int_equal(identity_name(name, out, sizeof out), 0);
    strcat(name, "张");
    assert_int_equal(identity_name(name, out, sizeof out), -2);
}

/* ---- regions ---- */

static void regions(void **state)
{
    char out[IDENTITY_REGION_MAX];
    assert_int_equal(identity_region("310104", out), 0);
    assert_string_equal(out, "310104");
    assert_int_equal(identity_region("110000", out), 0);
    assert_int_equal(identity_region("820000", out), 0);
    assert_int_equal(identity_region("31010", out), -1);
    assert_int_equal(identity_region("3101044", out), -1);
    assert_int_equal(identity_region("990000", out), -1);
    assert_int_equal(identity_region("000000", out), -1);
    assert_int_equal(identity_region("31a104", out), -1);
    assert_int_equal(identity_region(NULL, out), -1);

    assert_true(identity_region_related("310104", "310104"));
    assert_true(identity_region_related("310000", "310104"));
    assert_true(identity_region_related("310104", "310000"));
    assert_true(identity_region_related("440300", "440305"));
    assert_false(identity_region_related("310104", "310105"));
    assert_false(identity_region_related("440300", "440100"));
    assert_false(identity_region_related("310000", "320000"));
    assert_false(identity_region_related(NULL, "320000"));
}

/* ---- match strength ---- */

static const char *const cand_phones[] = {"13800138000", "02162345678"};
static const char *const cand_emails[] = {"zhang.wei@example.com"};
static const struct identity_cand cand = {cand_phones, 2, cand_emails, 1, "张伟", "310104"};

static enum identity_strength match(const char *phone, const char *email, const char *name,
                                    const char *region, unsigned *reasons)
{
    struct identity_probe p = {phone, email, name, region};
    return identity_match(&p, &cand, reasons);
}

static void match_strong_on_phone_or_email(void **state)
{
    unsigned r;
    assert_int_equal(match("13800138000", NULL, NULL, NULL, &r), IDENTITY_STRONG);
    assert_int_equal(r, IDENTITY_R_PHONE);
    assert_int_equal(match("02162345678", NULL, NULL, NULL, &r), IDENTITY_STRONG); /* landline */
    assert_int_equal(r, IDENTITY_R_PHONE);
    assert_int_equal(match(NULL, "zhang.wei@example.com", NULL, NULL, &r), IDENTITY_STRONG);
    assert_int_equal(r, IDENTITY_R_EMAIL);
    /* a different name does not weaken an equal phone */
    assert_int_equal(match("13800138000", NULL, "李娜", NULL, &r), IDENTITY_STRONG);
    assert_int_equal(r, IDENTITY_R_PHONE);
    assert_int_equal(match("13800138000", "zhang.wei@example.com", "张伟", "310104", &r),
                     IDENTITY_STRONG);
    assert_int_equal(r, IDENTITY_R_PHONE | IDENTITY_R_EMAIL | IDENTITY_R_NAME);
    /* an email matches even when the phone given differs */
    assert_int_equal(match("13900139000", "zhang.wei@example.com", NULL, NULL, &r),
                     IDENTITY_STRONG);
    assert_int_equal(r, IDENTITY_R_EMAIL);
}

static void match_weak_on_name_with_clue(void **state)
{
    unsigned r;
    /* same name, another phone with the same last four digits */
    assert_int_equal(match("13900008000", NULL, "张伟", NULL, &r), IDENTITY_WEAK);
    assert_int_equal(r, IDENTITY_R_NAME | IDENTITY_R_PHONE_TAIL);
    /* same name, same region */
    assert_int_equal(match("13900001111", NULL, "张伟", "310104", &r), IDENTITY_WEAK);
    assert_int_equal(r, IDENTITY_R_NAME | IDENTITY_R_REGION);
    /* same name, the city containing the region */
    assert_int_equal(match(NULL, NULL, "张伟", "310000", &r), IDENTITY_WEAK);
    assert_int_equal(r, IDENTITY_R_NAME | IDENTITY_R_REGION);
    /* both clues */
    assert_int_equal(match("13900008000", NULL, "张伟", "310104", &r), IDENTITY_WEAK);
    assert_int_equal(r, IDENTITY_R_NAME | IDENTITY_R_REGION | IDENTITY_R_PHONE_TAIL);
}

static void match_weak_on_name_alone(void **state)
{
    unsigned r;
    assert_int_equal(match(NULL, NULL, "张伟", NULL, &r), IDENTITY_WEAK);
    assert_int_equal(r, IDENTITY_R_NAME);
    assert_int_equal(match("", "", "张伟", "", &r), IDENTITY_WEAK);
    assert_int_equal(r, IDENTITY_R_NAME);
}

static void match_none(void **state)
{
    unsigned r = 99;
    /* same name but phone and region both point elsewhere: another person */
    assert_int_equal(match("13900001111", NULL, "张伟", "440305", &r), IDENTITY_NONE);
    assert_int_equal(r, 0);
    assert_int_equal(match(NULL, "other@example.com", "张伟", NULL, &r), IDENTITY_NONE);
    /* a phone tail or region without the name is nothing */
    assert_int_equal(match("13900008000", NULL, "李娜", "310104", &r), IDENTITY_NONE);
    assert_int_equal(match(NULL, NULL, "李娜", NULL, &r), IDENTITY_NONE);
    assert_int_equal(match(NULL, NULL, NULL, NULL, &r), IDENTITY_NONE);
    assert_int_equal(match(NULL, NULL, NULL, "310104", NULL), IDENTITY_NONE);
}

static void match_on_normalised_input(void **state)
{
    /* the whole path: what an agent types -> keys -> strength */
    char ph[IDENTITY_PHONE_MAX], em[IDENTITY_EMAIL_MAX], nk[IDENTITY_NAME_KEY_MAX];
    assert_int_equal(identity_phone("+86 138-0013-8000", ph, NULL), 0);
    assert_int_equal(identity_email("ZHANG.WEI@EXAMPLE.COM", em), 0);
    assert_int_equal(identity_name_key("張 偉", nk), 0);
    unsigned r;
    assert_int_equal(match(ph, NULL, NULL, NULL, &r), IDENTITY_STRONG);
    assert_int_equal(match(NULL, em, NULL, NULL, &r), IDENTITY_STRONG);
    assert_int_equal(match(NULL, NULL, nk, NULL, &r), IDENTITY_WEAK);
    assert_string_equal(identity_reason_name(IDENTITY_R_PHONE_TAIL), "phone_tail");
    assert_string_equal(identity_reason_name(IDENTITY_R_REGION), "region");
    assert_string_equal(identity_reason_name(0), "");
}

static int teardown(void **state)
{
    rules_t2s_close();
    return 0;
}

/* The fast path for names of ideographs must give exactly the key of the full path: a
 * trailing space (removed by the full path) forces the full path for comparison. */
static void name_key_fast_path_equals_full_path(void **state)
{
    char fast[IDENTITY_NAME_KEY_MAX], full[IDENTITY_NAME_KEY_MAX];
    int compared = 0;
    for (int32_t cp = 0x3400; cp <= 0x9FFF; cp += 3) {
        if (cp > 0x4DBF && cp < 0x4E00)
            continue;
        char name[16] = "", spaced[20];
        utf8proc_uint8_t u[8];
        utf8proc_ssize_t l = utf8proc_encode_char(cp, u);
        u[l] = 0;
        snprintf(name, sizeof name, "王%s", (const char *)u);
        snprintf(spaced, sizeof spaced, "%s ", name);
        int a = identity_name_key(name, fast);
        int b = identity_name_key(spaced, full);
        assert_int_equal(a, b);
        if (a == 0) {
            if (strcmp(fast, full) != 0)
                fail_msg("U+%04X: fast key %s, full key %s", (unsigned)cp, fast, full);
            compared++;
        }
    }
    assert_true(compared > 5000);
    assert_int_equal(identity_name_key("張偉", fast), 0);
    assert_string_equal(fast, "张伟");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phones_mobile_forms),
        cmocka_unit_test(phones_landline_keeps_area_code),
        cmocka_unit_test(phones_invalid),
        cmocka_unit_test(phone_digits_for_tail_search),
        cmocka_unit_test(phone_reverse),
        cmocka_unit_test(emails_normalised),
        cmocka_unit_test(emails_invalid),
        cmocka_unit_test(names_keys),
        cmocka_unit_test(names_keys_invalid),
        cmocka_unit_test(names_display),
        cmocka_unit_test(regions),
        cmocka_unit_test(match_strong_on_phone_or_email),
        cmocka_unit_test(match_weak_on_name_with_clue),
        cmocka_unit_test(match_weak_on_name_alone),
        cmocka_unit_test(match_none),
        cmocka_unit_test(match_on_normalised_input),
        cmocka_unit_test(name_key_fast_path_equals_full_path),
    };
    return cmocka_run_group_tests_name("identity", tests, NULL, teardown);
}
