// Real RFC 5322 messages for the mail-in tests and benchmark: bodies in GBK, GB2312,
// Big5 or UTF-8 (encoded with glibc's iconv), encoded-word subjects, RFC 2231 file
// names, attachments, replies, auto-replies and delivery status notifications.
import { execFileSync } from 'node:child_process';

/** UTF-8 text as bytes in charset (glibc iconv names: GBK, GB2312, BIG5, UTF-8). */
export function enc(text, charset) {
    if (/^utf-?8$/i.test(charset)) return Buffer.from(text, 'utf8');
    return execFileSync('iconv', ['-f', 'UTF-8', '-t', charset], { input: Buffer.from(text, 'utf8') });
}

/** An RFC 2047 B encoded word of text in charset (label: the charset name written). */
export const wordB = (text, charset, label = charset) => `=?${label}?B?${enc(text, charset).toString('base64')}?=`;
/** An RFC 2047 Q encoded word. */
export function wordQ(text, charset, label = charset) {
    const q = [...enc(text, charset)].map((b) => (b === 0x20 ? '_' : (b > 0x20 && b < 0x7f && b !== 0x3d && b !== 0x3f && b !== 0x5f)
        ? String.fromCharCode(b) : '=' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');
    return `=?${label}?Q?${q}?=`;
}
/** An RFC 2231 extended parameter value: label''percent-encoded (bytes in charset). */
export const ext2231 = (text, charset, label = charset) => `${label}''` + [...enc(text, charset)].map((b) =>
    (/[A-Za-z0-9._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');

const b64lines = (buf) => buf.toString('base64').replace(/.{1,76}/g, '$&\r\n');

/**
 * A message. opts: from, to, subject (already encoded header text), messageId, headers
 * (extra lines), body {text, charset, cte: '8bit'|'base64'}, html, attachments
 * [{filenameParam (the whole Content-Disposition parameter text), type, data}].
 */
export function message(opts) {
    const { from, to = 'service@aftersales.example', subject = '', messageId, headers = [],
        body = { text: '', charset: 'UTF-8' }, html, attachments = [] } = opts;
    const head = [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, 'Date: Thu, 03 Dec 2026 10:00:00 +0800',
        ...(messageId ? [`Message-ID: <${messageId}>`] : []), 'MIME-Version: 1.0', ...headers];
    const textPart = () => {
        const bytes = enc(body.text, body.charset);
        const cte = body.cte ?? '8bit';
        return [Buffer.from(`Content-Type: text/plain; charset=${body.label ?? body.charset}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n`),
            cte === 'base64' ? Buffer.from(b64lines(bytes)) : bytes, Buffer.from('\r\n')];
    };
    if (!html && attachments.length === 0)
        return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n'), ...textPart()]);
    const bd = 'b-' + Math.random().toString(36).slice(2);
    const parts = [Buffer.from(head.join('\r\n') + `\r\nContent-Type: multipart/mixed; boundary="${bd}"\r\n\r\npreamble\r\n`)];
    parts.push(Buffer.from(`--${bd}\r\n`), ...textPart());
    if (html) parts.push(Buffer.from(`--${bd}\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64lines(Buffer.from(html))}`));
    for (const a of attachments)
        parts.push(Buffer.from(`--${bd}\r\nContent-Type: ${a.type}\r\nContent-Disposition: attachment; ${a.filenameParam}\r\n` +
            `Content-Transfer-Encoding: base64\r\n\r\n${b64lines(a.data)}`));
    parts.push(Buffer.from(`--${bd}--\r\n`));
    return Buffer.concat(parts);
}

/** A delivery status notification (RFC 3464) for the message with Message-ID original. */
export function bounce(original, recipient, status = '5.1.1') {
    const bd = 'dsn-' + Math.random().toString(36).slice(2);
    return Buffer.from([
        'Return-Path: <>', 'From: Mail Delivery System <MAILER-DAEMON@mx.example>', `To: service@aftersales.example`,
        'Subject: Undelivered Mail Returned to Sender', 'Auto-Submitted: auto-replied', 'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=delivery-status; boundary="${bd}"`, '',
        `--${bd}`, 'Content-Type: text/plain; charset=us-ascii', '', `Your message to <${recipient}> could not be delivered.`, '',
        `--${bd}`, 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example', '',
        `Final-Recipient: rfc822; ${recipient}`, 'Action: failed', `Status: ${status}`, '',
        `--${bd}`, 'Content-Type: text/rfc822-headers', '', `Message-ID: ${original}`, `To: ${recipient}`,
        'Subject: your repair', '', `--${bd}--`, ''].join('\r\n'));
}
