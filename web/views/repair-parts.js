// The parts panel of a repair's detail (M7): request parts (part number and quantity
// lines; an unknown part is refused on its line), each line's status, source warehouse
// and promise date, and its actions: receive it at the outlet, issue (fit) it to the
// repair, cancel it. When every line is received the repair's next step is shown
// (start repairing). Also PartsReady, the queue's mark of a repair whose parts are in.
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Button, ErrorBanner, Notice, Loading, fieldErrors } from '../ui.js';
import { LineStatus, partsErrorText } from './parts.js';
import { PartLines, blankLine } from '../lib/part-lines.js';

registerMessages(byLang({
  'rp.title': ['零件', 'Parts'],
  'rp.none': ['这单维修还没有申请零件。', 'No parts requested for this repair yet.'],
  'rp.request': ['申请零件', 'Request parts'],
  'rp.part': ['零件号', 'Part number'],
  'rp.qty': ['数量', 'Qty'],
  'rp.add': ['再加一行', 'Add a line'],
  'rp.remove': ['移除', 'Remove'],
  'rp.submit': ['提交申请', 'Request'],
  'rp.requested': ['已申请：{code}', 'Requested: {code}'],
  'rp.not_now': ['维修处于检测中、已确认报价、维修中或等待零件时才能申请零件。', 'Parts are requested while the repair is diagnosed, approved, being repaired or waiting for parts.'],
  'rp.line': ['行', 'Line'],
  'rp.substitute': ['代用 {part}', 'substitute for {part}'],
  'rp.status': ['状态', 'Status'],
  'rp.warehouse': ['来源仓库', 'From warehouse'],
  'rp.promise': ['承诺日期', 'Promise date'],
  'rp.no_promise': ['缺货，暂无承诺日期', 'backordered: no promise yet'],
  'rp.in_transit': ['在途（{code}）', 'on its way ({code})'],
  'rp.receive': ['到货签收', 'Receive'],
  'rp.issue': ['装机', 'Fit'],
  'rp.cancel': ['取消', 'Cancel'],
  'rp.serial': ['新件序列号', 'Fitted serial'],
  'rp.faulty': ['旧件序列号', 'Faulty serial'],
  'rp.ready': ['零件已全部到齐，可以开始维修。', 'All parts are in: the repair can go on.'],
  'rp.ready_tag': ['零件已到', 'Parts in'],
  'rp.start': ['开始维修', 'Start repairing'],
  'rp.quote_first': ['这是保外（付费）维修：请先在“报价”面板报价，客户同意报价后再申请零件。', 'This repair is out of warranty (paid): quote it on the quote panel; parts are requested once the customer approves the quote.'],
  'rp.qty_bad': ['数量为 1 到 100000 的整数', 'A whole number from 1 to 100000'],
}));

const WORKERS = ['admin', 'supervisor', 'outlet_manager', 'technician'];
const CAN_REQUEST = ['diagnosing', 'approved', 'repairing', 'waiting_parts'];
// A paid repair is quoted, and the quote approved, before parts are requested (SPEC M4;
// the server answers 409 quote_not_approved otherwise).
const quoteFirst = (repair) => repair.in_warranty === false && repair.status === 'diagnosing';
const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';

function RequestForm({ repair, onDone }) {
  const [lines, setLines] = useState([blankLine()]);
  const [error, setError] = useState(null);
  const [local, setLocal] = useState({});
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    setError(null);
    // the lines sent are those with a part number; the reasons are numbered over them
    const sent = lines.filter((l) => l.part.trim());
    const bad = {};
    sent.forEach((l, i) => { if (!/^\d{1,6}$/.test(l.qty.trim()) || Number(l.qty) < 1 || Number(l.qty) > 100000) bad[`lines[${i}].qty`] = t('rp.qty_bad'); });
    if (!sent.length) bad['lines[0].part'] = 'required';
    setLines(sent.length ? sent : [blankLine()]);
    setLocal(bad);
    if (Object.keys(bad).length) return;
    setBusy(true);
    try {
      const r = await api.post(`/repairs/${repair.code}/part-requests`,
        { lines: sent.map((l) => ({ part: l.part.trim(), qty: Number(l.qty) })) });
      setLines([blankLine()]);
      onDone(r);
    } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = { ...fieldErrors(error), ...local };
  return html`<form onSubmit=${submit} data-testid="parts-form" novalidate aria-label=${t('rp.request')}>
    <h3>${t('rp.request')}</h3>
    <${ErrorBanner} error=${error && !Object.keys(fieldErrors(error)).length ? partsErrorText(error) : null} onDismiss=${() => setError(null)} />
    <${PartLines} lines=${lines} setLines=${setLines} errors=${fe} rowAttr="data-part-line" addId="rp-add"
      names=${(i, k) => `rp_${k}_${i}`} field=${(i, k) => `lines[${i}].${k}`}
      labels=${{ part: 'rp.part', qty: 'rp.qty', add: 'rp.add', remove: 'rp.remove' }} />
    <div style="margin-top:8px">
      <${Button} type="submit" busy=${busy}>${t('rp.submit')}</${Button}>
    </div>
  </form>`;
}

// One line with the actions its status allows.
function Line({ line, canWork, warranty, onAct }) {
  const [serial, setSerial] = useState('');
  const [faulty, setFaulty] = useState('');
  const waiting = ['reserved', 'ordered'].includes(line.status);
  const act = (what, body) => onAct(line.code, what, body);
  return html`<tr data-line=${line.code} data-status=${line.status}>
    <td>${line.code}</td>
    <td><strong>${line.part}</strong>${line.part !== line.requested_part
      ? html`<div class="muted">${t('rp.substitute', { part: line.requested_part })}</div>` : null}</td>
    <td class="num">${line.qty}</td>
    <td><${LineStatus} status=${line.status} />${line.transfer && line.transfer.status === 'in_transit'
      ? html`<div class="muted" data-transfer=${line.transfer.code}>${t('rp.in_transit', { code: line.transfer.code })}</div>` : null}</td>
    <td data-warehouse>${line.warehouse || '–'}</td>
    <td data-promise>${line.promise_date || html`<span class="muted">${line.status === 'backordered' ? t('rp.no_promise') : '–'}</span>`}</td>
    <td>${canWork ? html`<div style="display:flex;gap:6px;flex-wrap:wrap;align-items:flex-end">
      ${waiting ? html`<${Button} variant="primary" data-act="receive" onClick=${() => act('receive', {})}>${t('rp.receive')}</${Button}>` : null}
      ${line.status === 'received' ? html`
        <input class="input" style="width:9em" name=${'serial_' + line.code} placeholder=${t('rp.serial')} aria-label=${t('rp.serial')}
          value=${serial} onInput=${(e) => setSerial(e.currentTarget.value)} />
        ${warranty ? html`<input class="input" style="width:9em" name=${'faulty_' + line.code} placeholder=${t('rp.faulty')}
          aria-label=${t('rp.faulty')} value=${faulty} onInput=${(e) => setFaulty(e.currentTarget.value)} />` : null}
        <${Button} variant="primary" data-act="issue" onClick=${() => act('issue', { ...(serial.trim() ? { serial: serial.trim() } : {}),
          ...(faulty.trim() ? { faulty_serial: faulty.trim() } : {}) })}>${t('rp.issue')}</${Button}>` : null}
      ${['reserved', 'ordered', 'backordered', 'received'].includes(line.status) && !(line.transfer && line.transfer.status === 'in_transit')
        ? html`<${Button} variant="ghost" data-act="cancel" onClick=${() => act('cancel', {})}>${t('rp.cancel')}</${Button}>` : null}
    </div>` : null}</td>
  </tr>`;
}

// props: repair (GET /repairs/{code}), user, onRepair(repair) after its status changed.
export default function PartsPanel({ repair, user, onRepair }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState('');
  const stamp = `${repair.status}:${repair.version}`;
  const load = async () => {
    try { setData(await api.get(`/repairs/${repair.code}/part-requests`)); } catch (e) { setError(e); }
  };
  useEffect(() => { load(); }, [repair.code, stamp]);
  const canWork = WORKERS.includes(user.role);
  async function refreshRepair() {
    try { onRepair(await api.get('/repairs/' + encodeURIComponent(repair.code))); } catch (e) { setError(e); }
  }
  async function onAct(code, what, body) {
    setError(null);
    setNotice('');
    try {
      await api.post(`/part-request-lines/${encodeURIComponent(code)}/${what}`, body);
      await load();
      await refreshRepair();
    } catch (e) { setError(e); }
  }
  async function start() {
    setError(null);
    try {
      onRepair(await api.post(`/repairs/${repair.code}/transitions`, { to: 'repairing', version: repair.version }));
    } catch (e) { setError(e); }
  }
  const lines = data ? data.items.flatMap((q) => q.lines) : [];
  const ready = data && data.parts_ready && repair.status === 'waiting_parts';
  return html`<div class="card" style=${CARD} data-testid="parts-panel" aria-label=${t('rp.title')}>
    <h2>${t('rp.title')}</h2>
    <${ErrorBanner} error=${partsErrorText(error)} onDismiss=${() => setError(null)} />
    ${notice ? html`<${Notice} tone="success"><span data-testid="parts-requested">${notice}</span></${Notice}>` : null}
    ${ready ? html`<div data-testid="parts-ready"><${Notice} tone="success" title=${t('rp.ready')}>
      ${canWork && repair.next.some((n) => n.to === 'repairing')
        ? html`<${Button} data-testid="parts-start" onClick=${start}>${t('rp.start')}</${Button}>` : null}</${Notice}></div>` : null}
    ${data === null && !error ? html`<${Loading} />` : !lines.length ? html`<p class="muted">${t('rp.none')}</p>` : html`
      <div class="table-wrap"><table class="table" data-testid="parts-lines">
        <thead><tr><th scope="col">${t('rp.line')}</th><th scope="col">${t('rp.part')}</th><th scope="col" class="num">${t('rp.qty')}</th>
          <th scope="col">${t('rp.status')}</th><th scope="col">${t('rp.warehouse')}</th><th scope="col">${t('rp.promise')}</th><th scope="col"></th></tr></thead>
        <tbody>${lines.map((l) => html`<${Line} key=${l.code} line=${l} canWork=${canWork} warranty=${repair.in_warranty === true} onAct=${onAct} />`)}</tbody>
      </table></div>
      ${data.items.map((q) => html`<p class="muted" key=${q.code} style="margin:4px 0">${q.code} · ${q.actor} · ${formatDateTime(q.created_at)}</p>`)}`}
    ${canWork && quoteFirst(repair)
      ? html`<p class="muted" data-testid="parts-quote-first">${t('rp.quote_first')}</p>`
      : canWork && CAN_REQUEST.includes(repair.status)
      ? html`<${RequestForm} repair=${repair} onDone=${async (r) => { setNotice(t('rp.requested', { code: r.code })); await load(); await refreshRepair(); }} />`
      : canWork && !['repaired', 'delivered', 'cancelled'].includes(repair.status) ? html`<p class="muted">${t('rp.not_now')}</p>` : null}
  </div>`;
}

// The queue's mark for a repair waiting for parts whose lines are all in.
export function PartsReady({ code }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    api.get(`/repairs/${code}/part-requests`).then((r) => live && setReady(r.parts_ready), () => {});
    return () => { live = false; };
  }, [code]);
  return ready ? html`<span class="badge status-repairing" data-parts-ready=${code}>${t('rp.ready_tag')}</span>` : null;
}
