// Segments (issue 13 item 5, M12): build a customer filter (product line, model,
// purchase dates, region prefix, last service, survey score, consent per channel),
// watch its count and a sample update as the filter changes, save it; the saved
// segments with CSV/XLSX downloads; below them the campaigns (campaign-outreach.js).
// Hash route: #/campaigns
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Table, useStyle, fieldErrors } from '../ui.js';
import { usePagedList } from '../lib/lists.js';
import { CampaignSection } from './campaign-outreach.js';

const CHANNELS = ['phone', 'sms', 'email', 'fax', 'post'];
const TEXT_KEYS = ['product_line', 'model', 'purchased_from', 'purchased_to', 'region', 'served_from', 'served_to', 'score_min', 'score_max'];

registerMessages(byLang({
  'sg.title': ['客户细分与营销活动', 'Segments and campaigns'],
  'sg.product_line': ['产品线', 'Product line'],
  'sg.model': ['型号代码', 'Model code'],
  'sg.purchased_from': ['购买日期从', 'Purchased from'],
  'sg.purchased_to': ['购买日期至', 'Purchased to'],
  'sg.region': ['地区代码前缀 (GB/T 2260)', 'Region prefix (GB/T 2260)'],
  'sg.served_from': ['最近服务日期从', 'Last service from'],
  'sg.served_to': ['最近服务日期至', 'Last service to'],
  'sg.score_min': ['满意度评分不低于', 'Survey score at least'],
  'sg.score_max': ['满意度评分不高于', 'Survey score at most'],
  'sg.consent': ['已同意的渠道', 'Consent given for'],
  'sg.any': ['不限', 'Any'],
  'sg.count': ['符合条件的客户: {n}', 'Matching customers: {n}'],
  'sg.sample': ['样本 (前 20 位)', 'Sample (first 20)'],
  'sg.code': ['编号', 'Code'],
  'sg.customer': ['客户', 'Customer'],
  'sg.cregion': ['地区', 'Region'],
  'sg.save': ['保存细分', 'Save segment'],
  'sg.saved': ['细分 {code} 已保存', 'Segment {code} saved'],
  'sg.list': ['已保存的细分', 'Saved segments'],
  'sg.filter': ['条件', 'Filter'],
  'sg.created_by': ['创建人', 'Created by'],
  'sg.created_at': ['创建时间', 'Created'],
}));

const CSS = `
.sg-filters { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 0 16px; }
.sg-consent { display: flex; gap: 16px; flex-wrap: wrap; margin: 8px 0 16px; }
.sg-count { font-size: 20px; font-weight: 600; margin: 8px 0; }
.sg-filter-text { font-family: monospace; font-size: 12px; overflow-wrap: anywhere; max-width: 40em; }
`;

/** The filter the API takes: only the parts given. */
export function filterOf(f) {
  const out = {};
  for (const k of TEXT_KEYS) {
    const v = (f[k] || '').trim();
    if (v) out[k] = k.startsWith('score_') ? Number(v) : v;
  }
  if (f.consent.length) out.consent = f.consent;
  return out;
}

function usePreview(filter) {
  const [state, setState] = useState({ data: null, error: null });
  const key = JSON.stringify(filter);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const data = await api.post('/segments/preview', { filter });
        if (live) setState({ data, error: null });
      } catch (error) { if (live) setState((s) => ({ data: s.data, error })); }
    }, 250);
    return () => { live = false; clearTimeout(timer); };
  }, [key]);
  return state;
}

export default function Campaigns() {
  useStyle('sg-style', CSS);
  const blank = { consent: [], name: '' };
  const [f, setF] = useState(blank);
  const [lines, setLines] = useState([]);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const filter = filterOf(f);
  const preview = usePreview(filter);
  const list = usePagedList('/segments', {}, 50);
  useEffect(() => { api.get('/product-lines').then((r) => setLines(r.items || [])).catch(setError); }, []);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const toggle = (ch) => setF({ ...f, consent: f.consent.includes(ch) ? f.consent.filter((c) => c !== ch) : [...f.consent, ch] });

  async function save() {
    setBusy(true); setError(null); setNotice(null);
    try {
      const r = await api.post('/segments', { name: f.name, filter });
      setNotice(t('sg.saved', { code: r.code }));
      list.reload();
    } catch (e) { setError(e); }
    setBusy(false);
  }

  const errs = fieldErrors(error || preview.error) || {};
  const scores = [{ value: '', label: t('sg.any') }, ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }))];
  const field = (k, type = 'text') => html`<${Field} label=${t('sg.' + k)} name=${k} type=${type} value=${f[k] || ''}
    error=${errs['filter.' + k]} onInput=${set(k)} />`;
  const sampleCols = [
    { key: 'code', label: t('sg.customer') },
    { key: 'name', label: t('sg.name') },
    { key: 'region', label: t('sg.cregion'), render: (r) => r.region || '' },
  ];
  const segCols = [
    { key: 'code', label: t('sg.code') },
    { key: 'name', label: t('sg.name') },
    { key: 'filter', label: t('sg.filter'), render: (r) => html`<span class="sg-filter-text">${r.filter}</span>` },
    { key: 'created_by', label: t('sg.created_by') },
    { key: 'created_at', label: t('sg.created_at'), render: (r) => formatDateTime(r.created_at) },
  ];
  return html`<${Page} title=${t('sg.title')}>
    <div class="sg-filters" data-testid="sg-filters">
      <${Field} label=${t('sg.product_line')} name="product_line" as="select" value=${f.product_line || ''} onChange=${set('product_line')}
        options=${[{ value: '', label: t('sg.any') }, ...lines.map((l) => ({ value: l.code, label: l.name }))]} />
      ${field('model')}
      ${field('purchased_from', 'date')}
      ${field('purchased_to', 'date')}
      ${field('region')}
      ${field('served_from', 'date')}
      ${field('served_to', 'date')}
      <${Field} label=${t('sg.score_min')} name="score_min" as="select" value=${f.score_min || ''} onChange=${set('score_min')} options=${scores} />
      <${Field} label=${t('sg.score_max')} name="score_max" as="select" value=${f.score_max || ''} onChange=${set('score_max')} options=${scores} />
    </div>
    <fieldset class="sg-consent"><legend>${t('sg.consent')}</legend>
      ${CHANNELS.map((ch) => html`<label><input type="checkbox" name=${'consent-' + ch} checked=${f.consent.includes(ch)}
        onChange=${() => toggle(ch)} /> ${t('sg.ch.' + ch)}</label>`)}
    </fieldset>
    <${ErrorBanner} error=${error || preview.error} />
    ${preview.data === null ? html`<${Loading} />` : html`
      <div class="sg-count" data-testid="sg-count" data-count=${preview.data.count}>${t('sg.count', { n: preview.data.count })}</div>
      <${Table} caption=${t('sg.sample')} columns=${sampleCols} rows=${preview.data.sample} rowKey="code" />`}
    <div class="sg-filters">
      <${Field} label=${t('sg.name')} name="segment_name" value=${f.name} error=${errs.name} onInput=${set('name')} />
    </div>
    <${Button} busy=${busy} data-save onClick=${save}>${t('sg.save')}</${Button}>
    ${notice ? html`<${Notice} tone="success">${notice}</${Notice}>` : null}
    <h2>${t('sg.list')}</h2>
    ${list.items === null ? html`<${Loading} />` : html`
      <${Table} columns=${segCols} rows=${list.items} rowKey="code" downloads=${{ path: '/segments', params: {}, name: 'segments' }} />
      ${list.hasMore ? html`<${Button} variant="secondary" onClick=${list.more}>${t('common.more')}</${Button}>` : null}`}
    <${CampaignSection} segments=${list.items || []} />
  </${Page}>`;
}
