// A rich-text editor for article bodies (issue 14 item 1): a formatting toolbar over a
// contenteditable area (bold, italic, headings, lists, links, images uploaded into the
// database through POST /kb/images), and a switch to the HTML source. What it produces
// is only a proposal: the server sanitises every body with its allow-list when saving
// (rules/html.c), so nothing here has to be trusted.
import { useState, useEffect, useRef } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, fieldReasonText } from '../i18n.js';
import { html, Field } from '../ui.js';

registerMessages(byLang({
  'rt.bold': ['加粗', 'Bold'], 'rt.italic': ['斜体', 'Italic'],
  'rt.h2': ['标题', 'Heading'], 'rt.h3': ['小标题', 'Subheading'], 'rt.p': ['正文', 'Paragraph'],
  'rt.ul': ['项目列表', 'Bulleted list'], 'rt.ol': ['编号列表', 'Numbered list'],
  'rt.link': ['链接', 'Link'], 'rt.link_prompt': ['链接地址 (https://…)', 'Link address (https://…)'],
  'rt.link_bad': ['只能链接 http、https 或 mailto 地址', 'Only http, https or mailto addresses can be linked'],
  'rt.image': ['插入图片', 'Insert image'], 'rt.clear': ['清除格式', 'Clear formatting'],
  'rt.source': ['HTML 源码', 'HTML source'], 'rt.visual': ['可视编辑', 'Visual editor'],
  'rt.uploading': ['正在上传图片…', 'Uploading the image…'],
  'rt.image_bad': ['图片须为 PNG、JPEG、GIF 或 WebP，且不超过 2 MB', 'Images must be PNG, JPEG, GIF or WebP and at most 2 MB'],
}));

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const TOOLS = [
  ['bold', 'rt.bold', () => document.execCommand('bold'), 'B'],
  ['italic', 'rt.italic', () => document.execCommand('italic'), 'I'],
  ['h2', 'rt.h2', () => document.execCommand('formatBlock', false, 'h2'), 'H2'],
  ['h3', 'rt.h3', () => document.execCommand('formatBlock', false, 'h3'), 'H3'],
  ['p', 'rt.p', () => document.execCommand('formatBlock', false, 'p'), '¶'],
  ['ul', 'rt.ul', () => document.execCommand('insertUnorderedList'), '•'],
  ['ol', 'rt.ol', () => document.execCommand('insertOrderedList'), '1.'],
  ['clear', 'rt.clear', () => document.execCommand('removeFormat'), '⌫'],
];

const base64Of = (file) => new Promise((resolve, reject) => {
  const r = new FileReader();
  r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
  r.onerror = () => reject(r.error);
  r.readAsDataURL(file);
});

// props: name (the source textarea's name), label, hint, error, value, onChange(html)
export function RichText({ name, label, hint, error, value, onChange }) {
  // the mode chosen last is kept (an editor who writes HTML keeps writing HTML)
  const [source, setSourceState] = useState(() => localStorage.getItem('rt.source') === '1');
  const setSource = (v) => { localStorage.setItem('rt.source', v ? '1' : '0'); setSourceState(v); };
  const [note, setNote] = useState('');
  const area = useRef(null);
  const file = useRef(null);
  const saved = useRef(null); // the caret when the image button was pressed
  const keepCaret = () => {
    const sel = window.getSelection();
    saved.current = sel.rangeCount && area.current.contains(sel.anchorNode) ? sel.getRangeAt(0).cloneRange() : null;
  };
  useEffect(() => {
    // a value from outside (loaded, or typed as source) is written into the area, but
    // never while someone types in it: a render with an older value would move the
    // caret to the start
    if (!source && area.current && document.activeElement !== area.current &&
        area.current.innerHTML !== (value || '')) area.current.innerHTML = value || '';
  }, [value, source]);
  const emit = () => onChange(area.current.innerHTML);
  const run = (fn) => (e) => {
    e.preventDefault();
    area.current.focus();
    fn();
    emit();
  };
  const link = run(() => {
    const url = (window.prompt(t('rt.link_prompt'), 'https://') || '').trim();
    if (!url) return;
    if (!/^(https?:\/\/|mailto:|\/)/i.test(url)) { setNote(t('rt.link_bad')); return; }
    setNote('');
    document.execCommand('createLink', false, url);
  });
  async function upload(e) {
    const f = e.currentTarget.files && e.currentTarget.files[0];
    e.currentTarget.value = '';
    if (!f) return;
    if (!IMAGE_TYPES.includes(f.type) || f.size > 2 * 1024 * 1024) { setNote(t('rt.image_bad')); return; }
    setNote(t('rt.uploading'));
    try {
      const r = await api.post('/kb/images', { mime: f.type, data: await base64Of(f) });
      setNote('');
      area.current.focus();
      if (saved.current) {
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(saved.current);
      }
      document.execCommand('insertImage', false, r.url);
      emit();
    } catch (err) { setNote(err.message || t('rt.image_bad')); }
  }
  const btn = 'btn btn-secondary';
  return html`<div class="rt" data-testid="rt">
    <div class="rt-toolbar" role="toolbar" aria-label=${label} style="display:flex;flex-wrap:wrap;gap:4px;margin:4px 0">
      ${source ? null : TOOLS.map(([k, key, fn, glyph]) => html`<button type="button" class=${btn} data-rt=${k}
        title=${t(key)} aria-label=${t(key)} onMouseDown=${run(fn)}>${glyph}</button>`)}
      ${source ? null : html`<button type="button" class=${btn} data-rt="link" title=${t('rt.link')} aria-label=${t('rt.link')} onMouseDown=${link}>🔗</button>
        <button type="button" class=${btn} data-rt="image" title=${t('rt.image')} aria-label=${t('rt.image')}
          onMouseDown=${keepCaret} onClick=${() => file.current.click()}>🖼</button>
        <input type="file" accept=${IMAGE_TYPES.join(',')} ref=${file} data-rt-file style="display:none" onChange=${upload} />`}
      <button type="button" class=${btn} data-rt="source" aria-pressed=${source ? 'true' : 'false'}
        onClick=${() => setSource(!source)}>${source ? t('rt.visual') : t('rt.source')}</button>
    </div>
    ${source
      ? html`<${Field} label=${label} name=${name} as="textarea" rows="10" value=${value} hint=${hint} error=${error}
          onInput=${(e) => onChange(e.currentTarget.value)} />`
      : html`<div class="field">
          <span class="field-label" id=${name + '-label'}>${label}</span>
          <div class="input rt-area" contenteditable="true" role="textbox" aria-multiline="true" aria-labelledby=${name + '-label'}
            data-testid="rt-area" ref=${area} onInput=${emit} style="min-height:180px;overflow:auto;line-height:1.6"></div>
          ${hint ? html`<div class="field-hint">${hint}</div>` : null}
          ${error ? html`<div class="field-error">${fieldReasonText(error)}</div>` : null}
        </div>`}
    ${note ? html`<div class="field-hint" role="status" data-testid="rt-note">${note}</div>` : null}
  </div>`;
}
