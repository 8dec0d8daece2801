/* libFuzzer target for mail-in's parsing path (src/features/mail/parse.c and decode.c,
 * GMime underneath): any input must parse without a crash, a leak or undefined
 * behaviour, and everything it gives must be valid UTF-8 with attachment sizes that add
 * up within the input. Built and run by `make fuzz`; seeds in tests/fuzz/corpus/mail/. */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/mail/internal.h"
#include "features/mail/mail.h"

static void utf8(const char *s)
{
    if (s && !g_utf8_validate(s, -1, NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mail_parsed m;
    if (mail_parse((const char *)data, size, &m) != 0)
        return 0;
    const char *strs[] = {m.message_id, m.in_reply_to, m.refs, m.from_addr, m.from_name, m.to_addr,
                          m.return_path, m.subject, m.body_text, m.body_html, m.dsn_status};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        utf8(strs[i]);
    for (size_t i = 0; i < m.natt; i++) {
        utf8(m.att[i].filename);
        utf8(m.att[i].mime_type);
    }
    char *hdrs = json_dumps(m.headers, JSON_COMPACT);
    if (!hdrs)
        abort();
    free(hdrs);
    mail_parsed_free(&m);
    /* the header decoder alone, on the input as one header value */
    char *text = g_strndup((const char *)data, size);
    char *d = mail_decode_header(text);
    utf8(d);
    g_free(d);
    g_free(text);
    return 0;
}
