// Translation for the staff app: t(key, params), the current language, and
// registerMessages() so a feature view brings its own messages without
// editing the core catalogs in i18n/.
import zhCN from './i18n/zh-CN.js';
import en from './i18n/en.js';

export { byLang } from './lib/bilingual.js';

// Offered in this order in the language switch; the first is the fallback.
export const LANGS = ['zh-CN', 'en'];
const STORAGE_KEY = 'aftersales.lang';

const catalogs = { 'zh-CN': { ...zhCN }, en: { ...en } };
const listeners = new Set();
let current = detectLang();

function readStored() {
  try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }
}

// A remembered choice wins; otherwise the browser's languages decide;
// otherwise Chinese.
export function detectLang() {
  const stored = readStored();
  if (LANGS.includes(stored)) return stored;
  const prefs = (typeof navigator !== 'undefined' &&
    (navigator.languages?.length ? navigator.languages : [navigator.language])) || [];
  for (const p of prefs) {
    const l = String(p || '').toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return LANGS[0];
}

export function getLang() { return current; }

export function setLang(lang) {
  if (!LANGS.includes(lang) || lang === current) return;
  current = lang;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* private mode */ }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang);
}

// Calls fn(lang) after every change; returns the function that unsubscribes.
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// Adds or overrides messages: registerMessages({en: {...}, 'zh-CN': {...}}),
// usually written registerMessages(byLang({key: ['中文', 'English']})).
// Call it at the top level of a view module, before its first render.
export function registerMessages(byLang) {
  for (const [lang, msgs] of Object.entries(byLang)) {
    if (!catalogs[lang]) catalogs[lang] = {};
    Object.assign(catalogs[lang], msgs);
  }
}

export function has(key) {
  return key in catalogs[current] || LANGS.some((l) => key in catalogs[l]);
}

// The message for key in the current language (falling back to the other
// languages, then to the key itself), with {name} placeholders filled from
// params.
export function t(key, params) {
  let msg = catalogs[current][key];
  if (msg === undefined) {
    for (const l of LANGS) {
      if (catalogs[l][key] !== undefined) { msg = catalogs[l][key]; break; }
    }
  }
  if (msg === undefined) return key;
  if (typeof msg === 'function') return msg(params || {});
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name) =>
    params[name] === undefined || params[name] === null ? m : String(params[name]));
}

// The text to show for an API error ({status, code, message}): the
// translation of its code when there is one, else the server's message.
export function errorText(err) {
  if (!err) return '';
  const key = 'error.' + (err.code || 'unknown');
  if (has(key)) return t(key);
  return err.message || t('error.unknown');
}

// The text for one field's reason from an error's `fields` ("required",
// "invalid", ...); unknown reasons are shown as the server sent them.
export function fieldReasonText(reason) {
  if (!reason) return '';
  const key = 'field.' + reason;
  return has(key) ? t(key) : String(reason);
}

// Dates and money, shown in the configured zone (Asia/Shanghai by default).
export let timeZone = 'Asia/Shanghai';
export function setTimeZone(tz) { timeZone = tz; }

export function formatDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(current, {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(d);
}

export function formatDate(value) {
  if (!value) return '';
  // A bare YYYY-MM-DD is a local date already: show it as it is.
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(d);
}

// Money is integer fen (分) in the API.
export function formatMoney(fen, currency = 'CNY') {
  if (fen === null || fen === undefined) return '';
  return new Intl.NumberFormat(current, { style: 'currency', currency }).format(fen / 100);
}

if (typeof document !== 'undefined') document.documentElement.lang = current;
