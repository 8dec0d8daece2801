// The price guide (M8): labour prices per product line, repair level and region with
// the tightest cap over each, and the official caps; filters, CSV/XLSX downloads, and
// for admins and supervisors a form that sets a price or a cap (a price above a cap,
// or a cap below a price, is refused in the amount's field). Hash route: #/prices
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, getLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, fieldErrors } from '../ui.js';
import { PagedTable } from '../lib/lists.js';

export const LEVELS = ['A', 'B', 'C', 'D'];

registerMessages(byLang({
  'pg.title': ['价格指南', 'Price guide'],
  'pg.prices': ['工时价格', 'Labour prices'],
  'pg.caps': ['官方上限', 'Official caps'],
  'pg.line': ['产品线', 'Product line'],
  'pg.all_lines': ['全部产品线', 'All product lines'],
  'pg.level': ['维修级别', 'Repair level'],
  'pg.all_levels': ['全部级别', 'All levels'],
  'pg.region': ['地区代码', 'Region code'],
  'pg.region_hint': ['六位行政区划代码，000000 为全国；列出该地区及其下级地区', 'Six-digit GB/T 2260 code, 000000 for national; lists the region and those inside it'],
  'pg.region_bad': ['地区代码应为六位数字', 'The region code is six digits'],
  'pg.price_region': ['价格地区', 'Price region'],
  'pg.labour': ['工时费（元）', 'Labour (yuan)'],
  'pg.cap': ['上限（元）', 'Cap (yuan)'],
  'pg.updated': ['更新', 'Updated'],
  'pg.set_title': ['设定价格或上限', 'Set a price or a cap'],
  'pg.kind': ['设定', 'Set'],
  'pg.kind_price': ['工时价格', 'a labour price'],
  'pg.kind_cap': ['官方上限', 'an official cap'],
  'pg.amount': ['金额（元）', 'Amount (yuan)'],
  'pg.amount_bad': ['请输入大于 0 的金额，最多两位小数', 'Enter an amount above 0 with at most two decimals'],
  'pg.save': ['保存', 'Save'],
  'pg.saved_price': ['已设定 {line} {level} 级 {region} 的工时价格：{amount} 元', 'Labour price of {line} level {level} in {region} set to {amount} yuan'],
  'pg.saved_cap': ['已设定 {line} {level} 级 {region} 的上限：{amount} 元', 'Cap of {line} level {level} in {region} set to {amount} yuan'],
  'pg.edit': ['修改', 'Change'],
  'pg.above_cap': ['高于地区 {region} 的上限 {cap} 元', 'Above the cap of {cap} yuan of region {region}'],
  'pg.below_price': ['低于地区 {region} 已有的工时价格 {price} 元', 'Below the labour price of {price} yuan already set in region {region}'],
  'pg.lv.A': ['A 级：检测、调整、清洁、软件', 'A: inspection, adjustment, cleaning, software'],
  'pg.lv.B': ['B 级：更换小零件', 'B: replacing a small part'],
  'pg.lv.C': ['C 级：更换主板或模块', 'C: replacing a board or module'],
  'pg.lv.D': ['D 级：大修', 'D: major work'],
  'error.above_cap': ['工时价格不能高于所在地区或上级地区的官方上限。', 'The labour price may not be above the cap of its region or of a region enclosing it.'],
  'error.below_price': ['上限不能低于该地区内已设定的工时价格。', 'The cap may not be below a labour price already set inside its region.'],
}));

const BOSSES = ['admin', 'supervisor'];
const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const grid = 'display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:0 16px';
const lineName = (l) => (getLang() === 'en' && l.name_en ? l.name_en : l.name);

// Fen as yuan with two decimals ("382.50"); '' for none.
export const yuan = (fen) => (fen === null || fen === undefined ? '' : (fen / 100).toFixed(2));

// Yuan typed in a form as whole fen, or null when it is not an amount above 0
// with at most two decimals.
export function toFen(text) {
  const s = String(text).trim();
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null;
  const fen = Math.round(Number(s) * 100);
  return fen > 0 ? fen : null;
}

// The field text of an above_cap / below_price refusal, translated from the
// server's "above the cap 38250 of region 440000".
function capReason(err) {
  const f = fieldErrors(err);
  const above = /above the cap (\d+) of region (\d{6})/.exec(f.labour_fen || '');
  if (above) return t('pg.above_cap', { cap: yuan(Number(above[1])), region: above[2] });
  const below = /below the price (\d+) of region (\d{6})/.exec(f.cap_fen || '');
  if (below) return t('pg.below_price', { price: yuan(Number(below[1])), region: below[2] });
  return f.labour_fen || f.cap_fen;
}

function SetForm({ lines, preset, onSaved }) {
  const [f, setF] = useState(() => ({ kind: 'price', product_line: lines[0]?.code || '', level: 'A', region: '000000', amount: '' }));
  useEffect(() => { if (preset) setF((old) => ({ ...old, ...preset })); }, [preset]);
  const [error, setError] = useState(null);
  const [local, setLocal] = useState({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  async function submit(e) {
    e.preventDefault();
    setError(null); setDone('');
    const fen = toFen(f.amount);
    const bad = {};
    if (fen === null) bad.amount = t('pg.amount_bad');
    if (!/^\d{6}$/.test(f.region.trim())) bad.region = t('pg.region_bad');
    setLocal(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    const cap = f.kind === 'cap';
    const body = { product_line: f.product_line, level: f.level, region: f.region.trim(), [cap ? 'cap_fen' : 'labour_fen']: fen };
    try {
      const r = await api.post(cap ? '/price-caps' : '/prices', body);
      setDone(t(cap ? 'pg.saved_cap' : 'pg.saved_price', { line: r.product_line, level: r.level,
        region: `${r.region_name || ''} ${r.region}`.trim(), amount: yuan(cap ? r.cap_fen : r.labour_fen) }));
      onSaved(r);
    } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = fieldErrors(error);
  const amountError = local.amount || (error && ['above_cap', 'below_price'].includes(error.code) ? capReason(error) : null)
    || fe.labour_fen || fe.cap_fen;
  return html`<form class="card" style=${CARD} onSubmit=${submit} aria-label=${t('pg.set_title')} data-testid="price-form" novalidate>
    <h2>${t('pg.set_title')}</h2>
    <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
    ${done ? html`<${Notice} tone="success"><span data-testid="price-saved">${done}</span></${Notice}>` : null}
    <div style=${grid}>
      <${Field} label=${t('pg.kind')} name="set_kind" as="select" value=${f.kind} onChange=${set('kind')}
        options=${[{ value: 'price', label: t('pg.kind_price') }, { value: 'cap', label: t('pg.kind_cap') }]} />
      <${Field} label=${t('pg.line')} name="set_product_line" as="select" value=${f.product_line} onChange=${set('product_line')}
        options=${lines.map((l) => ({ value: l.code, label: `${lineName(l)} (${l.code})` }))} error=${fe.product_line} />
      <${Field} label=${t('pg.level')} name="set_level" as="select" value=${f.level} onChange=${set('level')}
        options=${LEVELS.map((l) => ({ value: l, label: t('pg.lv.' + l) }))} error=${fe.level} />
      <${Field} label=${t('pg.region')} name="set_region" value=${f.region} onInput=${set('region')} inputmode="numeric"
        maxlength="6" required error=${local.region || fe.region} />
      <${Field} label=${t('pg.amount')} name="set_amount" value=${f.amount} onInput=${set('amount')} inputmode="decimal"
        required error=${amountError} />
    </div>
    <${Button} type="submit" busy=${busy}>${t('pg.save')}</${Button}>
  </form>`;
}

export default function PricesView({ user }) {
  const [lines, setLines] = useState(null);
  const [error, setError] = useState(null);
  const [tab, setTab] = useState('prices');
  const [filter, setFilter] = useState({ product_line: '', level: '', region: '' });
  const [preset, setPreset] = useState(null);
  const [saves, setSaves] = useState(0);
  useEffect(() => { api.get('/product-lines').then((r) => setLines(r.items), setError); }, []);
  const boss = BOSSES.includes(user.role);
  if (error) return html`<${Page} title=${t('pg.title')}><${ErrorBanner} error=${error} /></${Page}>`;
  if (!lines) return html`<${Loading} />`;

  const region = filter.region.trim();
  const regionBad = region !== '' && !/^\d{6}$/.test(region);
  const params = {};
  if (filter.product_line) params.product_line = filter.product_line;
  if (filter.level) params.level = filter.level;
  if (region && !regionBad) params.region = region;
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.currentTarget.value });
  const caps = tab === 'caps';
  const nameOf = (code) => { const l = lines.find((x) => x.code === code); return l ? lineName(l) : code; };
  const edit = (row) => {
    setPreset({ kind: caps ? 'cap' : 'price', product_line: row.product_line, level: row.level, region: row.region,
      amount: yuan(caps ? row.cap_fen : row.labour_fen), at: Date.now() });
    document.querySelector('[data-testid=price-form]')?.scrollIntoView({ behavior: 'smooth' });
  };
  const columns = [
    { key: 'product_line', label: t('pg.line'), render: (r) => html`<span title=${r.product_line}>${nameOf(r.product_line)}</span>` },
    { key: 'level', label: t('pg.level'), render: (r) => html`<span title=${t('pg.lv.' + r.level)}>${r.level}</span>` },
    { key: 'region', label: t('pg.price_region'), render: (r) => html`<span data-region=${r.region}>${r.region_name} (${r.region})</span>` },
    ...(caps ? [] : [{ key: 'labour_fen', label: t('pg.labour'), align: 'right',
      render: (r) => html`<span data-labour=${r.labour_fen}>${yuan(r.labour_fen)}</span>` }]),
    { key: 'cap_fen', label: t('pg.cap'), align: 'right', render: (r) => html`<span data-cap=${r.cap_fen ?? ''}>${r.cap_fen ? yuan(r.cap_fen) : '–'}</span>` },
    { key: 'updated_at', label: t('pg.updated'), render: (r) => html`${formatDateTime(r.updated_at)} <span class="muted">· ${r.updated_by}</span>` },
    ...(boss ? [{ key: 'edit', label: '', render: (r) => html`<button type="button" class="btn btn-ghost" data-edit=${`${r.product_line}-${r.level}-${r.region}`}
      onClick=${() => edit(r)}>${t('pg.edit')}</button>` }] : []),
  ];
  return html`<${Page} title=${t('pg.title')}>
    ${boss ? html`<${SetForm} lines=${lines} preset=${preset} onSaved=${() => setSaves(saves + 1)} />` : null}
    <div class="card" style=${CARD}>
      <div class="table-toolbar" role="group" aria-label=${t('pg.title')} style="gap:6px;justify-content:flex-start">
        ${[['prices', 'pg.prices'], ['caps', 'pg.caps']].map(([k, label]) => html`<button type="button" key=${k}
          class=${'btn ' + (tab === k ? 'btn-primary' : 'btn-secondary')} data-tab=${k} aria-pressed=${tab === k ? 'true' : 'false'}
          onClick=${() => setTab(k)}>${t(label)}</button>`)}
      </div>
      <div style=${grid}>
        <${Field} label=${t('pg.line')} name="product_line" as="select" value=${filter.product_line} onChange=${set('product_line')}
          options=${[{ value: '', label: t('pg.all_lines') }, ...lines.map((l) => ({ value: l.code, label: lineName(l) }))]} />
        <${Field} label=${t('pg.level')} name="level" as="select" value=${filter.level} onChange=${set('level')}
          options=${[{ value: '', label: t('pg.all_levels') }, ...LEVELS.map((l) => ({ value: l, label: t('pg.lv.' + l) }))]} />
        <${Field} label=${t('pg.region')} name="region" value=${filter.region} onChange=${set('region')} inputmode="numeric"
          maxlength="6" hint=${t('pg.region_hint')} error=${regionBad ? t('pg.region_bad') : null} />
      </div>
      <${PagedTable} key=${tab + ':' + saves} path=${caps ? '/price-caps' : '/prices'} params=${params} limit=${100}
        columns=${columns} name=${caps ? 'price-caps' : 'prices'} rowKey="_" />
    </div>
  </${Page}>`;
}
