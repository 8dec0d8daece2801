// The quote panel of a repair's detail (M8). A paid repair in diagnosing is quoted:
// pick the repair level (each with its labour from GET /repairs/{code}/labour), add
// parts by number and quantity, POST /repairs/{code}/quote; the answer's labour, parts
// and total are shown and the repair moves to quoted. The customer's approval or
// refusal goes through the detail's ordinary transition buttons; the recorded
// decision (who, when) is read from GET /repairs/{code}/charges. A repair in warranty
// gets the same form for its cost (POST /repairs/{code}/warranty-cost) instead.
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Field, Button, ErrorBanner, Loading, fieldErrors } from '../ui.js';
import { LEVELS, yuan } from './prices.js';
import { PartLines, blankLine } from '../lib/part-lines.js';

registerMessages(byLang({
  'rq.quote': ['报价', 'Quote'],
  'rq.warranty': ['保修成本', 'Warranty cost'],
  'rq.warranty_intro': ['保修维修不向客户报价；在此记录零件和工时成本，用于按网点和产品线统计保修成本。', 'A warranty repair is not quoted to the customer; record its parts and labour at cost here for the warranty cost report.'],
  'rq.undecided': ['收件时判定是否保修，之后才能报价或记录保修成本。', 'Warranty or paid is decided at receipt; quote or record the cost after that.'],
  'rq.not_now': ['维修处于“检测中”时才能报价。', 'A repair is quoted while it is being diagnosed.'],
  'rq.level': ['维修级别', 'Repair level'],
  'rq.level_option': ['{level} 级 · 工时 ¥{labour}', 'Level {level} · labour ¥{labour}'],
  'rq.level_none': ['{level} 级 · 无价格', 'Level {level} · no price'],
  'rq.price_region': ['价格地区 {region}', 'price region {region}'],
  'rq.parts': ['零件', 'Parts'],
  'rq.part': ['零件号', 'Part number'],
  'rq.qty': ['数量', 'Qty'],
  'rq.add_part': ['添加零件', 'Add a part'],
  'rq.remove': ['移除', 'Remove'],
  'rq.submit_quote': ['提交报价', 'Submit the quote'],
  'rq.submit_warranty': ['记录保修成本', 'Record the warranty cost'],
  'rq.labour': ['工时费', 'Labour'],
  'rq.parts_total': ['零件费', 'Parts'],
  'rq.total': ['合计', 'Total'],
  'rq.unit': ['单价', 'Unit price'],
  'rq.amount': ['金额', 'Amount'],
  'rq.created': ['{who} 于 {at} 提交', 'By {who} at {at}'],
  'rq.kind.quote': ['报价', 'Quote'],
  'rq.kind.warranty': ['保修成本', 'Warranty cost'],
  'rq.decision.none': ['等待客户答复（用下方“下一步”记录客户确认或取消）', 'Waiting for the customer (record the answer with the next step below)'],
  'rq.decision.approved': ['客户已确认：{who}，{at}', 'Approved by the customer: {who}, {at}'],
  'rq.decision.declined': ['客户已拒绝：{who}，{at}', 'Declined by the customer: {who}, {at}'],
  'rq.history': ['费用记录', 'Charges'],
  'rq.qty_bad': ['数量为 1 到 999 的整数', 'A whole number from 1 to 999'],
  'field.no such part in the catalog': ['目录中没有这个零件', 'No such part in the catalog'],
  'field.no labour price for this level': ['这个级别没有工时价格', 'No labour price for this level'],
  'error.in_warranty': ['这单维修在保修期内，不报价；请记录保修成本。', 'The repair is in warranty: it is not quoted; record its cost instead.'],
  'error.not_in_warranty': ['这单维修不在保修期内，请报价。', 'The repair is not in warranty: quote it instead.'],
  'error.unknown_part': ['有零件不在目录中，请检查标红的零件号。', 'A part is not in the catalog: check the part numbers marked red.'],
  'error.no_price': ['这个级别在该地区没有工时价格。', 'There is no labour price for this level in the region.'],
  'error.no_product_line': ['维修没有型号或产品线，无法定价。', 'The repair has no model or product line to price it by.'],
  'error.no_outlet': ['维修还没有网点，无法定价。', 'The repair has no outlet yet to price it by.'],
}));

const QUOTERS = ['admin', 'supervisor', 'outlet_manager', 'technician'];
const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const money = (fen) => '¥' + yuan(fen);

// One charge: labour, the parts lines, the total, who made it, the decision.
function Charge({ charge, latest }) {
  const d = charge.decision;
  return html`<div class="charge" data-charge=${charge.kind} data-total=${charge.total_fen} data-decision=${d || ''}
      style=${latest ? '' : 'opacity:.7;border-top:1px solid #e3e8ee;padding-top:8px;margin-top:8px'}>
    <p style="margin:0 0 6px"><strong>${t('rq.kind.' + charge.kind)}</strong> · ${t('rq.level')} ${charge.level}
      <span class="muted"> · ${t('rq.price_region', { region: charge.price_region })} · ${t('rq.created', { who: charge.created_by, at: formatDateTime(charge.created_at) })}</span></p>
    <div class="table-wrap"><table class="table">
      <thead><tr><th scope="col">${t('rq.part')}</th><th scope="col" class="num">${t('rq.qty')}</th>
        <th scope="col" class="num">${t('rq.unit')}</th><th scope="col" class="num">${t('rq.amount')}</th></tr></thead>
      <tbody>
        <tr><td>${t('rq.labour')}</td><td></td><td></td><td class="num" data-labour=${charge.labour_fen}>${money(charge.labour_fen)}</td></tr>
        ${charge.lines.map((l, i) => html`<tr key=${i} data-part=${l.part}><td>${l.part}</td><td class="num">${l.qty}</td>
          <td class="num">${money(l.unit_fen)}</td><td class="num">${money(l.amount_fen)}</td></tr>`)}
        <tr><td>${t('rq.parts_total')}</td><td></td><td></td><td class="num" data-parts=${charge.parts_fen}>${money(charge.parts_fen)}</td></tr>
        <tr><th scope="row">${t('rq.total')}</th><td></td><td></td><td class="num"><strong data-total>${money(charge.total_fen)}</strong></td></tr>
      </tbody>
    </table></div>
    ${charge.kind === 'quote' ? html`<p data-testid="quote-decision" class=${d ? '' : 'muted'}>${d
      ? t('rq.decision.' + d, { who: charge.decided_by, at: formatDateTime(charge.decided_at) }) : t('rq.decision.none')}</p>` : null}
  </div>`;
}

function ChargeForm({ repair, warranty, levels, onDone }) {
  const first = levels.find((l) => l.labour_fen !== null && l.labour_fen !== undefined)?.level || 'A';
  const [level, setLevel] = useState(first);
  const [lines, setLines] = useState([blankLine()]);
  const [error, setError] = useState(null);
  const [local, setLocal] = useState({});
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setError(null);
    const parts = [];
    const bad = {};
    lines.forEach((l) => {
      if (!l.part.trim() && (l.qty.trim() === '' || l.qty.trim() === '1')) return; // an empty line
      const i = parts.length;
      const qty = /^\d{1,3}$/.test(l.qty.trim()) ? Number(l.qty) : 0;
      if (!l.part.trim()) bad[`parts[${i}].part`] = 'required';
      if (qty < 1) bad[`parts[${i}].qty`] = t('rq.qty_bad');
      parts.push({ part: l.part.trim(), qty });
    });
    // the reasons are numbered over the lines sent: keep the lines sent in the form
    const sent = lines.filter((l) => !(!l.part.trim() && (l.qty.trim() === '' || l.qty.trim() === '1')));
    setLines(sent.length ? sent : [blankLine()]);
    setLocal(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    try {
      const r = await api.post(`/repairs/${repair.code}/${warranty ? 'warranty-cost' : 'quote'}`, { level, parts });
      onDone(r);
    } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = { ...fieldErrors(error), ...local };
  return html`<form onSubmit=${submit} data-testid="quote-form" novalidate>
    <${ErrorBanner} error=${error} onDismiss=${() => setError(null)} />
    <${Field} label=${t('rq.level')} name="quote_level" as="select" value=${level} onChange=${(e) => setLevel(e.currentTarget.value)}
      error=${fe.level} options=${LEVELS.map((lv) => {
        const x = levels.find((l) => l.level === lv);
        return { value: lv, label: x && x.labour_fen != null ? t('rq.level_option', { level: lv, labour: yuan(x.labour_fen) })
          + ' · ' + t('pg.lv.' + lv) : t('rq.level_none', { level: lv }) };
      })} />
    <fieldset style="border:1px solid #e3e8ee;border-radius:6px;padding:8px 12px;margin:0 0 12px">
      <legend>${t('rq.parts')}</legend>
      <${PartLines} lines=${lines} setLines=${setLines} errors=${fe} rowAttr="data-line" addId="add-part"
        names=${(i, k) => `${k}_${i}`} field=${(i, k) => `parts[${i}].${k}`}
        labels=${{ part: 'rq.part', qty: 'rq.qty', add: 'rq.add_part', remove: 'rq.remove' }} />
    </fieldset>
    <${Button} type="submit" busy=${busy}>${t(warranty ? 'rq.submit_warranty' : 'rq.submit_quote')}</${Button}>
  </form>`;
}

// props: repair (GET /repairs/{code}), user, onRepair(repair) after a quote moved it.
export default function QuotePanel({ repair, user, onRepair }) {
  const [labour, setLabour] = useState(null);
  const [charges, setCharges] = useState(null);
  const [error, setError] = useState(null);
  const [formKey, setFormKey] = useState(0);
  const decided = repair.in_warranty !== null && repair.in_warranty !== undefined;
  const warranty = repair.in_warranty === true;
  const stamp = `${repair.status}:${repair.version}`;
  useEffect(() => {
    if (!decided) return undefined;
    let live = true;
    setError(null);
    api.get(`/repairs/${repair.code}/charges`).then((r) => live && setCharges(r.items), (e) => live && setError(e));
    return () => { live = false; };
  }, [repair.code, stamp]);
  const canWrite = QUOTERS.includes(user.role);
  const formOpen = canWrite && decided && (warranty ? repair.status !== 'cancelled' : repair.status === 'diagnosing');
  useEffect(() => {
    if (!formOpen || labour) return;
    api.get(`/repairs/${repair.code}/labour`).then(setLabour, setError);
  }, [repair.code, formOpen]);
  if (!decided) {
    return html`<div class="card" style=${CARD} data-testid="quote-panel"><h2>${t('rq.quote')}</h2><p class="muted">${t('rq.undecided')}</p></div>`;
  }
  async function done() {
    setFormKey(formKey + 1);
    try { onRepair(await api.get('/repairs/' + encodeURIComponent(repair.code))); } catch (e) { setError(e); }
    try { setCharges((await api.get(`/repairs/${repair.code}/charges`)).items); } catch (e) { setError(e); }
  }
  const list = (charges || []).filter((c) => c.kind === (warranty ? 'warranty' : 'quote')).slice().reverse();
  return html`<div class="card" style=${CARD} data-testid="quote-panel" data-kind=${warranty ? 'warranty' : 'quote'}
      aria-label=${t(warranty ? 'rq.warranty' : 'rq.quote')}>
    <h2>${t(warranty ? 'rq.warranty' : 'rq.quote')}</h2>
    ${warranty ? html`<p class="muted">${t('rq.warranty_intro')}</p>` : null}
    <${ErrorBanner} error=${error} />
    ${charges === null && !error ? html`<${Loading} />` : list.map((c, i) => html`<${Charge} key=${c.created_at + i} charge=${c} latest=${i === 0} />`)}
    ${formOpen ? (labour ? html`<${ChargeForm} key=${formKey} repair=${repair} warranty=${warranty} levels=${labour.levels} onDone=${done} />`
      : error ? null : html`<${Loading} />`)
      : !warranty && canWrite && !list.length && ['registered', 'received'].includes(repair.status)
        ? html`<p class="muted">${t('rq.not_now')}</p>` : null}
  </div>`;
}
