// Small shared components for every view: Field (with the red error text
// under it), Button, Table, DownloadLinks (a list's CSV and XLSX from the
// server), ErrorBanner, Empty, Notice, Loading, Page, and useStyle (a view's
// own CSS added once). Views import `html` from here too.
import { h, cloneElement, toChildArray } from 'preact';
import { useId, useEffect } from 'preact/hooks';
import htm from 'htm';
import { t, errorText, fieldReasonText } from './i18n.js';
import { apiUrl } from './api.js';

export const html = htm.bind(h);

// Adds a view's CSS text to the document once, as <style id=id>.
export function useStyle(id, css) {
  useEffect(() => {
    if (document.getElementById(id)) return;
    const el = document.createElement('style');
    el.id = id;
    el.textContent = css;
    document.head.appendChild(el);
  }, []);
}

// A page's heading with optional actions on the right.
export function Page({ title, actions, children }) {
  return html`
    <section class="page">
      <div class="page-head">
        <h1 class="page-title">${title}</h1>
        ${actions ? html`<div class="page-actions">${actions}</div>` : null}
      </div>
      ${children}
    </section>`;
}

// A labelled form control. `error` is a reason from an API error's
// `fields` ("required", "invalid", ...) or a text; it is shown in red under
// the control and linked to it with aria-describedby.
//   <${Field} label=${t('x')} name="phone" value=${v} onInput=${...}
//             error=${err?.fields?.phone} />
// as="select" takes options=[{value,label}]; as="textarea" a textarea;
// a single child element is used as the control instead.
export function Field({ label, name, error, hint, required, id, as = 'input',
  options, children, class: cls, ...rest }) {
  const autoId = useId();
  const fid = id || (name ? `f-${name}` : `f-${autoId}`);
  const msg = error ? fieldReasonText(error) : '';
  const errId = `${fid}-error`;
  const hintId = `${fid}-hint`;
  const describedBy = [hint ? hintId : null, msg ? errId : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id: fid, name, required,
    'aria-invalid': msg ? 'true' : undefined,
    'aria-describedby': describedBy,
  };

  let control;
  const kids = toChildArray(children);
  if (kids.length === 1 && typeof kids[0] === 'object') {
    control = cloneElement(kids[0], common);
  } else if (as === 'select') {
    control = html`<select class="input" ...${common} ...${rest}>
      ${(options || []).map((o) => html`<option value=${o.value}>${o.label}</option>`)}
    </select>`;
  } else if (as === 'textarea') {
    control = html`<textarea class="input" ...${common} ...${rest}></textarea>`;
  } else {
    control = html`<input class="input" ...${common} ...${rest} />`;
  }

  return html`
    <div class=${['field', msg ? 'field-invalid' : '', cls || ''].join(' ').trim()}>
      <label class="field-label" for=${fid}>
        ${label}${required ? html`<span class="field-req" aria-hidden="true"> *</span>` : null}
      </label>
      ${control}
      ${hint ? html`<div class="field-hint" id=${hintId}>${hint}</div>` : null}
      ${msg ? html`<div class="field-error" id=${errId}>${msg}</div>` : null}
    </div>`;
}

// The per-field reasons of an API error, or {} (for Field's `error`).
export function fieldErrors(err) {
  return (err && err.fields) || {};
}

// variant: primary | secondary | danger | ghost. `busy` disables it and
// marks it aria-busy while a request runs.
export function Button({ variant = 'primary', busy, type = 'button', disabled,
  class: cls, children, ...rest }) {
  return html`
    <button type=${type} class=${`btn btn-${variant} ${cls || ''}`.trim()}
      disabled=${disabled || busy} aria-busy=${busy ? 'true' : undefined} ...${rest}>
      ${children}
    </button>`;
}

// Shows an ApiError (or a plain text) translated; nothing when error is
// empty. onRetry / onDismiss add the matching buttons.
export function ErrorBanner({ error, onRetry, onDismiss }) {
  if (!error) return null;
  const text = typeof error === 'string' ? error : errorText(error);
  return html`
    <div class="banner banner-error" role="alert">
      <span class="banner-text">${text}</span>
      ${onRetry ? html`<${Button} variant="secondary" onClick=${onRetry}>${t('common.retry')}</${Button}>` : null}
      ${onDismiss ? html`<button type="button" class="banner-close" onClick=${onDismiss}
        aria-label=${t('common.dismiss')} title=${t('common.dismiss')}>×</button>` : null}
    </div>`;
}

// A plain informative panel (title + text); tone: info | warning.
export function Notice({ title, children, tone = 'info' }) {
  return html`
    <div class=${`notice notice-${tone}`} role="status">
      ${title ? html`<h2 class="notice-title">${title}</h2>` : null}
      <div class="notice-body">${children}</div>
    </div>`;
}

export function Empty({ title, children }) {
  return html`
    <div class="empty">
      <div class="empty-title">${title || t('common.empty')}</div>
      ${children ? html`<div class="empty-body">${children}</div>` : null}
    </div>`;
}

export function Loading({ label }) {
  return html`<div class="loading" role="status" aria-live="polite">
    <span class="spinner" aria-hidden="true"></span>${label || t('common.loading')}</div>`;
}

// ---- tables and downloads ----

function cellText(col, row) {
  const v = row[col.key];
  return v === undefined || v === null ? '' : v;
}

// Saves text as a file; the BOM makes Excel read the UTF-8 Chinese right.
export function downloadText(filename, text, type = 'text/csv;charset=utf-8') {
  const blob = new Blob(['\uFEFF' + text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const DOWNLOAD_FORMATS = ['csv', 'xlsx'];

// The URL that downloads list route `path` (relative to /api/v1) with the
// screen's filters `params` as a file: limit and cursor are dropped (a
// download holds every matching row), format is csv or xlsx.
export function downloadHref(path, params, format) {
  const { limit, cursor, ...rest } = params || {};
  return apiUrl(path, { ...rest, format });
}

// The CSV and XLSX downloads of a list: plain links (a GET with the session
// cookie) so the browser saves what the server sends, all matching rows.
//   <${DownloadLinks} path="/repairs" params=${{ status: 'received' }} name="repairs" />
// name marks the links for tests (data-download="repairs-csv"); attr names
// one more attribute given the same mark; filename, when given, is offered
// as the file's name if the server names none.
export function DownloadLinks({ path, params, name, filename, attr }) {
  return html`<span class="download-links" data-downloads=${name}>
    ${DOWNLOAD_FORMATS.map((f) => {
      const mark = name + '-' + f;
      return html`<a key=${f} class="btn btn-secondary" href=${downloadHref(path, params, f)}
        download=${filename ? filename + '.' + f : ''} data-download=${mark} data-format=${f}
        title=${t('common.download_hint')} ...${attr ? { [attr]: mark } : {}}>${t('common.download_' + f)}</a>`;
    })}
  </span>`;
}

// columns: [{key, label, render?(row), align?: 'right'}]
// downloads: DownloadLinks' props ({path, params, name, filename?, attr?})
//      to offer the whole result as CSV and XLSX; omitted = no download.
// toolbar: extra controls shown left of the downloads.
export function Table({ columns, rows, rowKey = 'code', caption, downloads, toolbar,
  empty, onRowClick }) {
  const list = rows || [];
  const download = downloads ? html`<${DownloadLinks} ...${downloads} />` : null;
  return html`
    <div class="table-block">
      ${toolbar || download ? html`<div class="table-toolbar">
        <div class="table-toolbar-main">${toolbar}</div>${download}</div>` : null}
      ${list.length === 0
        ? (empty || html`<${Empty} />`)
        : html`<div class="table-wrap"><table class="table">
            ${caption ? html`<caption>${caption}</caption>` : null}
            <thead><tr>${columns.map((c) => html`<th scope="col" class=${c.align === 'right' ? 'num' : ''}>${c.label}</th>`)}</tr></thead>
            <tbody>${list.map((row, i) => html`
              <tr key=${row[rowKey] ?? i} class=${onRowClick ? 'clickable' : ''}
                onClick=${onRowClick ? () => onRowClick(row) : undefined}>
                ${columns.map((c) => html`<td class=${c.align === 'right' ? 'num' : ''}>
                  ${c.render ? c.render(row) : cellText(c, row)}</td>`)}
              </tr>`)}
            </tbody>
          </table></div>`}
    </div>`;
}
