/* outbox: the message texts per kind (template) in zh-CN and en, filled from the
 * row's JSON payload ({name} placeholders). */
#include "features/outbox/internal.h"

#include <stdlib.h>
#include <string.h>

struct tpl {
    const char *name, *lang, *subject, *body;
};

static const struct tpl tpls[] = {
    {"warranty_registered", "zh-CN", "保修登记确认 {serial}",
     "您好！您的产品 {model}（序列号 {serial}）已完成保修登记，购买日期 {purchase_date}，"
     "保修至 {warranty_until}。"},
    {"warranty_registered", "en", "Warranty registration confirmed: {serial}",
     "Hello! Your {model} (serial {serial}) is registered for warranty: bought on "
     "{purchase_date}, covered until {warranty_until}."},
    {"repair_ready", "zh-CN", "维修单 {code} 已修好",
     "您好！您的维修单 {code} 已修复完毕，可以取件了。"},
    {"repair_ready", "en", "Repair {code} is ready",
     "Hello! Your repair {code} is done and ready for collection."},
    {"repair_status", "zh-CN", "维修单 {code} 状态更新：{status}",
     "您好！您的维修单 {code} 当前状态：{status}。"},
    {"repair_status", "en", "Repair {code}: {status}",
     "Hello! Your repair {code} is now: {status}."},
    {"complaint_resolved", "zh-CN", "投诉 {code} 已处理",
     "您好！您的投诉 {code} 已处理完毕：{note}"},
    {"complaint_resolved", "en", "Complaint {code} resolved",
     "Hello! Your complaint {code} has been resolved: {note}"},
    {"survey_invitation", "zh-CN", "请评价我们的服务",
     "您好！感谢您选择我们的服务（{code}）。请花一分钟评价：{link}"},
    {"survey_invitation", "en", "How did we do?",
     "Hello! Thank you for choosing our service ({code}). Please rate it in a minute: {link}"},
    {"research_invitation", "zh-CN", "问卷调查：{title}",
     "您好！诚邀您参与问卷调查「{title}」，只需几分钟：{link}"},
    {"research_invitation", "en", "Survey: {title}",
     "Hello! We would value your view in our survey \"{title}\"; it takes a few minutes: {link}"},
    {"campaign", "zh-CN", "{title}", "{text}"},
    {"campaign", "en", "{title}", "{text}"},
    {"complaint_escalation", "zh-CN", "投诉 {code} 升级提醒（{clock} {share_pct}%）",
     "投诉 {code} 的 {clock} 时限已用 {share_pct}%。"},
    {"complaint_escalation", "en", "Complaint {code} escalation ({clock} {share_pct}%)",
     "Complaint {code} has used {share_pct}% of its {clock} time."},
    {"mail_ack", "zh-CN", "回复：{subject}",
     "您好！我们已收到您的来信，客服人员会尽快答复。此邮件为自动回复，请勿直接回复。"},
    {"mail_ack", "en", "Re: {subject}",
     "Hello! We have received your message and an agent will answer soon. This is an "
     "automatic reply."},
    {"complaint_breach", "zh-CN", "投诉 {code} 已超时（{clock}）", "投诉 {code} 的 {clock} 时限已超时。"},
    {"complaint_breach", "en", "Complaint {code} breached ({clock})",
     "Complaint {code} is past its {clock} time."},
};

/* The payload's field as text: strings as they are, numbers printed, else "". */
static void field(buf *out, json_t *payload, const char *name, size_t n)
{
    char key[64];
    if (n >= sizeof key)
        return;
    memcpy(key, name, n);
    key[n] = '\0';
    json_t *v = json_object_get(payload, key);
    if (json_is_string(v))
        buf_adds(out, json_string_value(v));
    else if (json_is_integer(v))
        buf_addf(out, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        buf_addf(out, "%g", json_real_value(v));
}

static char *fill(const char *pattern, json_t *payload)
{
    buf out = BUF_INIT;
    for (const char *p = pattern; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close) {
            field(&out, payload, p + 1, (size_t)(close - p - 1));
            p = close + 1;
        } else {
            buf_addc(&out, *p++);
        }
    }
    return buf_detach(&out);
}

/* Append the message ids in s (separated by spaces, with or without angle brackets) to
 * b as "<id> <id>": the form In-Reply-To and References take. */
static void add_ids(buf *b, const char *s)
{
    for (const char *p = s; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, " \t,");
        if (!n)
            break;
        const char *id = p;
        if (*id == '<') {
            id++;
            n--;
        }
        if (n && id[n - 1] == '>')
            n--;
        if (n)
            buf_addf(b, "%s<%.*s>", b->len ? " " : "", (int)n, id);
        p += strcspn(p, " \t,");
    }
}

int ob_render(const char *tpl, const char *lang, json_t *payload, struct ob_text *t)
{
    const char *want = lang && strcmp(lang, "en") == 0 ? "en" : "zh-CN";
    const struct tpl *hit = NULL;
    for (size_t i = 0; i < sizeof tpls / sizeof *tpls && !hit; i++)
        if (strcmp(tpls[i].name, tpl) == 0 && strcmp(tpls[i].lang, want) == 0)
            hit = &tpls[i];
    if (!hit) {
        t->subject = t->body = t->in_reply_to = t->references = NULL;
        t->list_unsubscribe = t->list_unsubscribe_post = NULL;
        return -1;
    }
    t->subject = fill(hit->subject, payload);
    t->body = fill(hit->body, payload);
    const char *irt = json_string_value(json_object_get(payload, "in_reply_to"));
    const char *refs = json_string_value(json_object_get(payload, "references"));
    t->in_reply_to = t->references = NULL;
    /* extra headers: only these names, from the payload's "headers" object */
    json_t *hd = json_object_get(payload, "headers");
    const char *lu = json_string_value(json_object_get(hd, "List-Unsubscribe"));
    const char *lup = json_string_value(json_object_get(hd, "List-Unsubscribe-Post"));
    t->list_unsubscribe = lu && *lu ? strdup(lu) : NULL;
    t->list_unsubscribe_post = lup && *lup ? strdup(lup) : NULL;
    if (irt && *irt) {
        buf b = BUF_INIT;
        add_ids(&b, irt);
        t->in_reply_to = buf_detach(&b);
        add_ids(&b, refs);
        add_ids(&b, irt);
        t->references = buf_detach(&b);
    }
    return t->subject && t->body ? 0 : -1;
}

void ob_text_free(struct ob_text *t)
{
    free(t->subject);
    free(t->body);
    free(t->in_reply_to);
    free(t->references);
    free(t->list_unsubscribe);
    free(t->list_unsubscribe_post);
    t->subject = t->body = t->in_reply_to = t->references = NULL;
    t->list_unsubscribe = t->list_unsubscribe_post = NULL;
}
