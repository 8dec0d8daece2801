// Products (M2): product lines and models, with editing for editors and supervisors.
// Hash routes: #/products (models, filter by line), #/products/CODE (one model, edit).
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, getLang } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, fieldErrors } from '../ui.js';
import { PagedTable } from '../lib/lists.js';

registerMessages(byLang({
  'cat.title': ['产品与型号', 'Products and models'],
  'cat.lines': ['产品线', 'Product lines'],
  'cat.all': ['全部产品线', 'All product lines'],
  'cat.code': ['型号代码', 'Model code'],
  'cat.name': ['名称', 'Name'],
  'cat.line': ['产品线', 'Product line'],
  'cat.months': ['保修月数', 'Warranty months'],
  'cat.launched': ['上市日期', 'Launched on'],
  'cat.search': ['搜索代码或名称', 'Search code or name'],
  'cat.new': ['新建型号', 'New model'],
  'cat.save': ['保存', 'Save'],
  'cat.saved': ['已保存', 'Saved'],
  'cat.created': ['型号 {code} 已创建', 'Model {code} created'],
  'cat.edit': ['编辑型号 {code}', 'Edit model {code}'],
}));

const EDITORS = ['admin', 'supervisor', 'editor'];
const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const grid = 'display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:0 16px';
const lineName = (l) => (getLang() === 'en' && l.name_en ? l.name_en : l.name);

function ModelForm({ model, lines, onSaved }) {
  const [f, setF] = useState(() => ({
    code: model?.code || '', name: model?.name || '', product_line: model?.product_line.code || lines[0]?.code || '',
    warranty_months: String(model?.warranty_months ?? 12), launched_on: model?.launched_on || '',
  }));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  async function submit(e) {
    e.preventDefault();
    setBusy(true); setError(null); setDone('');
    const body = { name: f.name, product_line: f.product_line, warranty_months: Number(f.warranty_months),
      launched_on: f.launched_on || null };
    try {
      const m = model ? await api.patch('/models/' + encodeURIComponent(model.code), { ...body, version: model.version })
        : await api.post('/models', { ...body, code: f.code });
      setDone(model ? t('cat.saved') : t('cat.created', { code: m.code }));
      onSaved(m);
    } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = fieldErrors(error);
  return html`<form class="card" style=${CARD} onSubmit=${submit}>
    <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
    ${done ? html`<${Notice} tone="success">${done}</${Notice}>` : null}
    <div style=${grid}>
      ${model ? null : html`<${Field} label=${t('cat.code')} name="code" required value=${f.code} onInput=${set('code')} error=${fe.code} />`}
      <${Field} label=${t('cat.name')} name="name" required value=${f.name} onInput=${set('name')} error=${fe.name} />
      <${Field} label=${t('cat.line')} name="product_line" as="select" value=${f.product_line} onChange=${set('product_line')}
        options=${lines.map((l) => ({ value: l.code, label: `${lineName(l)} (${l.code})` }))} error=${fe.product_line} />
      <${Field} label=${t('cat.months')} name="warranty_months" type="number" min="1" max="120" required
        value=${f.warranty_months} onInput=${set('warranty_months')} error=${fe.warranty_months} />
      <${Field} label=${t('cat.launched')} name="launched_on" type="date" value=${f.launched_on} onInput=${set('launched_on')} error=${fe.launched_on} />
    </div>
    <${Button} type="submit" busy=${busy}>${t('cat.save')}</${Button}>
  </form>`;
}

function ModelList({ user, lines }) {
  const [filter, setFilter] = useState({ product_line: '', q: '' });
  const params = {};
  if (filter.product_line) params.product_line = filter.product_line;
  if (filter.q) params.q = filter.q;
  const columns = [
    { key: 'code', label: t('cat.code'), render: (m) => (EDITORS.includes(user.role)
      ? html`<a href=${'#/products/' + encodeURIComponent(m.code)}>${m.code}</a>` : m.code) },
    { key: 'name', label: t('cat.name') },
    { key: 'line', label: t('cat.line'), render: (m) => lineName(m.product_line) },
    { key: 'warranty_months', label: t('cat.months'), align: 'right' },
    { key: 'launched_on', label: t('cat.launched') },
  ];
  return html`
    <div style=${grid}>
      <${Field} label=${t('cat.line')} name="product_line" as="select" value=${filter.product_line}
        onChange=${(e) => setFilter({ ...filter, product_line: e.currentTarget.value })}
        options=${[{ value: '', label: t('cat.all') }, ...lines.map((l) => ({ value: l.code, label: lineName(l) }))]} />
      <${Field} label=${t('cat.search')} name="q" value=${filter.q} onChange=${(e) => setFilter({ ...filter, q: e.currentTarget.value })} />
    </div>
    <${PagedTable} path="/models" params=${params} limit=${100} columns=${columns} name="models" />`;
}

export default function CatalogView({ user, params }) {
  const [lines, setLines] = useState(null);
  const [model, setModel] = useState(null);
  const [error, setError] = useState(null);
  const sub = params[0] || '';
  useEffect(() => { api.get('/product-lines').then((r) => setLines(r.items), setError); }, []);
  useEffect(() => {
    setModel(null);
    if (sub && sub !== 'new') api.get('/models/' + encodeURIComponent(sub)).then(setModel, setError);
  }, [sub]);
  const canEdit = EDITORS.includes(user.role);
  const actions = canEdit ? html`<a class="btn btn-primary" href="#/products/new">${t('cat.new')}</a>` : null;
  if (error) return html`<${Page} title=${t('cat.title')}><${ErrorBanner} error=${error} /></${Page}>`;
  if (!lines) return html`<${Loading} />`;
  if (sub === 'new' && canEdit)
    return html`<${Page} title=${t('cat.new')}><${ModelForm} lines=${lines} onSaved=${(m) => { location.hash = '#/products/' + m.code; }} /></${Page}>`;
  if (sub && canEdit)
    return html`<${Page} title=${t('cat.edit', { code: sub })} actions=${actions}>
      ${model ? html`<${ModelForm} key=${model.code} model=${model} lines=${lines} onSaved=${setModel} />` : html`<${Loading} />`}</${Page}>`;
  return html`<${Page} title=${t('cat.title')} actions=${actions}><${ModelList} user=${user} lines=${lines} /></${Page}>`;
}
