/* outbox: RFC 2047 subject words, the MIME message, templates, Message-ID parsing and
 * outbox_mark_bounced (the call the mail-in helper makes) on a fresh SQLite database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/db.h"
#include "features/mail/mail.h"
#include "features/outbox/internal.h"

/* Decode "=?UTF-8?B?...?=" words separated by CRLF SP back to text; each word's length
 * is checked against RFC 2047's 75. */
static void decode_words(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    while (*s) {
        if (strncmp(s, "\r\n ", 3) == 0)
            s += 3;
        assert_int_equal(strncmp(s, "=?UTF-8?B?", 10), 0);
        const char *end = strstr(s + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - s <= 75);
        size_t got = 0;
        assert_int_equal(sodium_base642bin((unsigned char *)out + n, cap - n - 1, s + 10, (size_t)(end - s - 10),
                                           NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
        /* each word holds whole UTF-8 sequences */
        assert_true(((unsigned char)out[n] & 0xc0) != 0x80);
        n += got;
        s = end + 2;
    }
    out[n] = '\0';
}

static void test_header_words(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    ob_header_words(&b, "Repair R2601010001 is ready");
    assert_string_equal(b.s, "Repair R2601010001 is ready");
    buf_reset(&b);
    const char *zh = "您好！您的产品 HT-A9（序列号 OB-1234-5678）已完成保修登记，购买日期 2026-01-10，保修至 2027-01-09。";
    ob_header_words(&b, zh);
    assert_non_null(strstr(b.s, "\r\n ")); /* long enough for several words */
    char back[512];
    decode_words(b.s, back, sizeof back);
    assert_string_equal(back, zh);
    buf_release(&b);
}

static void test_mime(void **state)
{
    (void)state;
    struct ob_text t = {.subject = (char *)"保修登记确认", .body = (char *)"正文 body"};
    buf b = BUF_INIT;
    assert_int_equal(ob_mime(&b, "service@x.test", "a@example.com", "<outbox-7.0123456789abcdef@x.test>", 0, &t), 0);
    assert_non_null(strstr(b.s, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
    assert_non_null(strstr(b.s, "Message-ID: <outbox-7.0123456789abcdef@x.test>\r\n"));
    assert_non_null(strstr(b.s, "Auto-Submitted: auto-generated\r\n"));
    assert_non_null(strstr(b.s, "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_non_null(strstr(b.s, "Subject: =?UTF-8?B?"));
    const char *body = strstr(b.s, "\r\n\r\n") + 4;
    char plain[64];
    size_t got = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)plain, sizeof plain, body, strlen(body), "\r\n", &got, NULL,
                                       sodium_base64_VARIANT_ORIGINAL), 0);
    plain[got] = '\0';
    assert_string_equal(plain, "正文 body");
    buf_reset(&b);
    /* a header line cannot be smuggled in through the recipient */
    assert_int_equal(ob_mime(&b, "s@x.test", "a@example.com\r\nBcc: all@example.com", "<m@x>", 0, &t), -1);
    buf_release(&b);
}

/* A campaign's payload headers: only List-Unsubscribe and List-Unsubscribe-Post come
 * out as header lines, and a value with CR or LF refuses the whole message. */
static void test_list_unsubscribe(void **state)
{
    (void)state;
    json_t *p = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "title", "新品", "text", "正文",
                          "lang", "zh-CN", "headers", "List-Unsubscribe",
                          "<https://x.test/api/v1/public/unsubscribe/C1.email.ab>",
                          "List-Unsubscribe-Post", "List-Unsubscribe=One-Click", "Bcc",
                          "all@example.com");
    struct ob_text t;
    assert_int_equal(ob_render("campaign", "zh-CN", p, &t), 0);
    buf b = BUF_INIT;
    assert_int_equal(ob_mime(&b, "s@x.test", "a@example.com", "<m@x>", 0, &t), 0);
    assert_non_null(strstr(b.s, "\r\nList-Unsubscribe: <https://x.test/api/v1/public/unsubscribe/C1.email.ab>\r\n"));
    assert_non_null(strstr(b.s, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    assert_null(strstr(b.s, "Bcc"));
    ob_text_free(&t);
    json_object_set_new(json_object_get(p, "headers"), "List-Unsubscribe",
                        json_string("<https://x.test/u>\r\nBcc: all@example.com"));
    assert_int_equal(ob_render("campaign", "zh-CN", p, &t), 0);
    buf_reset(&b);
    assert_int_equal(ob_mime(&b, "s@x.test", "a@example.com", "<m@x>", 0, &t), -1);
    ob_text_free(&t);
    buf_release(&b);
    json_decref(p);
}

static void test_render(void **state)
{
    (void)state;
    json_t *p = json_pack("{s:s, s:s}", "code", "R2601010001", "status", "diagnosing");
    struct ob_text t;
    assert_int_equal(ob_render("repair_status", NULL, p, &t), 0);
    assert_string_equal(t.body, "您好！您的维修单 R2601010001 当前状态：diagnosing。");
    ob_text_free(&t);
    assert_int_equal(ob_render("repair_status", "en", p, &t), 0);
    assert_string_equal(t.subject, "Repair R2601010001: diagnosing");
    ob_text_free(&t);
    assert_int_equal(ob_render("no_such_kind", "en", p, &t), -1);
    assert_null(t.body);
    json_decref(p);
}

static void test_message_id(void **state)
{
    (void)state;
    assert_int_equal(mail_outbox_id_of("<outbox-42.0123456789abcdef@x.test>"), 42);
    assert_int_equal(mail_outbox_id_of("outbox-42.0123456789abcdef@x.test"), 42);
    assert_int_equal(mail_outbox_id_of("<outbox-42@x.test>"), 0);
    assert_int_equal(mail_outbox_id_of("<CAF123@mail.example.com>"), 0);
    assert_int_equal(mail_outbox_id_of(NULL), 0);
}

static void test_bounce(void **state)
{
    (void)state;
    char dir[] = "/tmp/outbox-unit-XXXXXX", path[64], *err = NULL;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    db *d;
    assert_int_equal(db_open(path, 1, &d, &err), 0);
    db_conn *c = db_acquire(d);
    assert_true(db_exec(c, "INSERT INTO outbox (id, channel, recipient, template, payload, created_at, status)"
                           " VALUES (1, 'email', 'a@example.com', 'campaign', '{}', 0, 'sent'),"
                           " (2, 'email', 'b@example.com', 'campaign', '{}', 0, 'queued')", "") == 2);
    assert_int_equal(outbox_mark_bounced(c, 1, "550 mailbox unavailable"), 1);
    assert_int_equal(outbox_mark_bounced(c, 2, "x"), 0); /* never sent */
    assert_int_equal(outbox_mark_bounced(c, 99, "x"), 0);
    db_stmt *st = db_prepare(c, "SELECT status, last_error FROM outbox WHERE id = 1");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_text(st, 0), "bounced");
    assert_string_equal(db_text(st, 1), "550 mailbox unavailable");
    db_done(st);
    st = db_prepare(c, "SELECT count(*) FROM audit WHERE entity = 'outbox' AND action = 'bounce' AND entity_code = '1'");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_int(st, 0), 1);
    db_done(st);
    db_release(c);
    db_close(d);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_words), cmocka_unit_test(test_mime), cmocka_unit_test(test_render),
        cmocka_unit_test(test_message_id), cmocka_unit_test(test_bounce), cmocka_unit_test(test_list_unsubscribe),
    };
    return cmocka_run_group_tests_name("outbox", tests, NULL, NULL);
}
