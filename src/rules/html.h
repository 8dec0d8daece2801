/* html: the allow-list sanitiser of the information base's rich text (M2): what an
 * editor may store and a browser may show. */
#ifndef RULES_HTML_H
#define RULES_HTML_H

/* Sanitise in (UTF-8 HTML) into a malloc'd string of well-formed HTML: only the allowed
 * tags (p br hr b strong i em u s sub sup h2 h3 h4 blockquote pre code ul ol li a img
 * table thead tbody tr th td span div) and attributes (a href title; img src alt width
 * height; th/td colspan rowspan) are kept; script, style, iframe, object, embed,
 * template, noscript, textarea, select and svg/math lose their content too; comments,
 * event handlers, style attributes and every other attribute are dropped; a URL is kept
 * only when it is relative or http:, https: or mailto: (an image's only when relative
 * or https:) after entities and control characters are taken out; text is escaped.
 * *text (may be NULL) gets the plain text (entities decoded, blocks spaced), malloc'd.
 * NULL when out of memory. */
char *html_sanitize(const char *in, char **text);

#endif
