// The warehouse desk (M7): stock by part and warehouse (filters: part, warehouse, kind,
// region, below the reorder point), the ledger of moves with a form for receipts,
// transfers and adjustments by hand, request lines to ship and
// transfers to receive (with their buttons), defective returns (expected, overdue,
// receive), replenishment suggestions (confirm: a transfer, or a purchase order),
// purchase orders (list, detail, receive in full or in part, cancel while open) and late
// parts (promises passed without receipt). Every list pages and downloads as CSV and XLSX. Outlet staff see only their
// own outlet's stock room (the server confines them). Hash route: #/parts[/tab]
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, has, registerMessages, byLang, errorText, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Table } from '../ui.js';
import { PagedTable } from '../lib/lists.js';

export const WH_KINDS = ['central', 'branch', 'outlet', 'third_party', 'overseas'];
const MOVE_KINDS = ['receipt', 'transfer_ship', 'transfer_receive', 'issue', 'defective_return',
  'adjustment', 'reserve', 'release'];
export const LINE_STATUSES = ['reserved', 'ordered', 'backordered', 'received', 'issued', 'cancelled'];

registerMessages(byLang({
  'pt.title': ['备件仓库', 'Parts desk'],
  'pt.tab.stock': ['库存', 'Stock'],
  'pt.tab.moves': ['库存流水', 'Moves'],
  'pt.tab.ship': ['待发货', 'To ship'],
  'pt.tab.receive': ['待收货', 'To receive'],
  'pt.tab.returns': ['旧件返还', 'Defective returns'],
  'pt.tab.replenish': ['补货建议', 'Replenishment'],
  'pt.tab.late': ['逾期零件', 'Late parts'],
  'pt.tab.orders': ['采购单', 'Purchase orders'],
  'pt.on_order': ['已订购', 'On order'],
  'po.code': ['采购单号', 'Order'],
  'po.supplier': ['供应商', 'Supplier'],
  'po.source': ['来源', 'Source'],
  'po.source.domestic': ['国产', 'Domestic'],
  'po.source.imported': ['进口', 'Imported'],
  'po.expected': ['预计到货', 'Expected'],
  'po.parts': ['零件', 'Parts'],
  'po.received_qty': ['已收', 'Received'],
  'po.outstanding': ['未收', 'Outstanding'],
  'po.status.open': ['待收货', 'Open'],
  'po.status.partly_received': ['部分到货', 'Partly received'],
  'po.status.received': ['已到货', 'Received'],
  'po.status.cancelled': ['已取消', 'Cancelled'],
  'po.open': ['打开', 'Open'],
  'po.close': ['关闭', 'Close'],
  'po.detail': ['采购单 {code}', 'Purchase order {code}'],
  'po.receive_qty': ['本次收货', 'Receive now'],
  'po.receive': ['收货 (按填写数量)', 'Receive the quantities'],
  'po.receive_all': ['全部收货', 'Receive everything'],
  'po.cancel': ['取消采购单', 'Cancel the order'],
  'po.cancel_reason': ['取消原因', 'Reason for cancelling'],
  'po.received_done': ['{code}：已收货，状态 {status}', '{code}: received, now {status}'],
  'po.cancelled_done': ['{code} 已取消', '{code} cancelled'],
  'po.receipts': ['收货记录', 'Receipts'],
  'po.no_receipts': ['还没有收货。', 'Nothing received yet.'],
  'po.nothing_to_receive': ['请至少填写一行收货数量', 'Enter a quantity on at least one line'],
  'po.placed': ['已下采购单 {code}：{part} {qty} 件到 {warehouse}，预计 {date}', 'Purchase order {code}: {qty} of {part} for {warehouse}, expected {date}'],
  'pt.outlet_only': ['网点人员只能看到本网点库房的库存和单据。', "Outlet staff see their own outlet's stock room and lines only."],
  'pt.part': ['零件号', 'Part number'],
  'pt.requested_part': ['申请零件', 'Requested part'],
  'pt.warehouse': ['仓库代码', 'Warehouse code'],
  'pt.kind': ['仓库类型', 'Warehouse kind'],
  'pt.region': ['地区代码', 'Region code'],
  'pt.region_hint': ['六位行政区划代码：列出该地区内的仓库', 'Six-digit GB/T 2260 code: the warehouses in that region'],
  'pt.region_bad': ['地区代码应为六位数字', 'The region code is six digits'],
  'pt.below': ['只看低于再订货点的', 'Below the reorder point only'],
  'pt.all': ['全部', 'All'],
  'pt.on_hand': ['在库', 'On hand'],
  'pt.reserved': ['已预留', 'Reserved'],
  'pt.available': ['可用', 'Available'],
  'pt.in_transit': ['在途', 'In transit'],
  'pt.reorder_point': ['再订货点', 'Reorder point'],
  'pt.reorder_qty': ['订货批量', 'Reorder qty'],
  'pt.at': ['时间', 'Time'],
  'pt.move_kind': ['类型', 'Kind'],
  'pt.qty': ['数量', 'Qty'],
  'pt.from': ['发出仓库', 'From'],
  'pt.to': ['接收仓库', 'To'],
  'pt.repair': ['维修单', 'Repair'],
  'pt.transfer': ['调拨单', 'Transfer'],
  'pt.reason': ['原因', 'Reason'],
  'pt.actor': ['操作人', 'By'],
  'pt.line': ['申请行', 'Line'],
  'pt.status': ['状态', 'Status'],
  'pt.promise': ['承诺日期', 'Promise date'],
  'pt.days_late': ['逾期天数', 'Days late'],
  'pt.shipped_at': ['发货时间', 'Shipped'],
  'pt.shipped_by': ['发货人', 'Shipped by'],
  'pt.ship': ['发货', 'Ship'],
  'pt.shipped': ['{line} 已发货，调拨单 {transfer}', '{line} shipped, transfer {transfer}'],
  'pt.receive': ['收货', 'Receive'],
  'pt.received': ['{code} 已收货', '{code} received'],
  'pt.outlet': ['网点', 'Outlet'],
  'pt.faulty_serial': ['旧件序列号', 'Faulty serial'],
  'pt.due': ['应还日期', 'Due'],
  'pt.overdue': ['已逾期', 'Overdue'],
  'pt.overdue_only': ['只看逾期的', 'Overdue only'],
  'pt.return_status.expected': ['待返还', 'Expected'],
  'pt.return_status.received': ['已收回', 'Received'],
  'pt.return_to': ['收回到仓库', 'Receive into'],
  'pt.return_received': ['{line} 的旧件已收回', 'The faulty part of {line} is received'],
  'pt.suggestion': ['建议', 'Suggestion'],
  'pt.sugg.transfer': ['从 {from} 调拨 {qty}', 'Transfer {qty} from {from}'],
  'pt.sugg.purchase': ['采购 {qty}', 'Purchase {qty}'],
  'pt.confirm_transfer': ['确认调拨', 'Confirm the transfer'],
  'pt.confirm_purchase': ['下采购单', 'Place the purchase order'],
  'pt.confirmed': ['已确认：{part} {qty} 件到 {warehouse}', 'Confirmed: {qty} of {part} for {warehouse}'],
  'pt.none': ['–', '–'],
  'wk.central': ['中心库', 'Central'],
  'wk.branch': ['分库', 'Branch'],
  'wk.outlet': ['网点库', 'Outlet'],
  'wk.third_party': ['第三方仓', 'Third party'],
  'wk.overseas': ['海外零件中心', 'Overseas'],
  'pt.move.title': ['登记库存变动', 'Record a stock move'],
  'pt.move.kind': ['变动类型', 'Move'],
  'pt.move.receipt': ['入库 (收到货物)', 'Receipt (goods in)'],
  'pt.move.transfer': ['调拨 (发出)', 'Transfer (ship)'],
  'pt.move.adjust_up': ['盘盈 (调增)', 'Adjustment up'],
  'pt.move.adjust_down': ['盘亏 (调减)', 'Adjustment down'],
  'pt.move.save': ['登记', 'Record'],
  'pt.move.done': ['已登记: {kind} {part} × {qty}', 'Recorded: {kind} {part} × {qty}'],
  'pt.move.transfer_done': ['调拨单 {code} 已发出', 'Transfer {code} shipped'],
  'pt.move.reason_needed': ['调整需要填写原因', 'An adjustment needs a reason'],
  'mk.receipt': ['入库', 'Receipt'],
  'mk.transfer_ship': ['调拨发出', 'Transfer shipped'],
  'mk.transfer_receive': ['调拨收货', 'Transfer received'],
  'mk.issue': ['领用装机', 'Issue to repair'],
  'mk.defective_return': ['旧件返还', 'Defective return'],
  'mk.adjustment': ['盘点调整', 'Adjustment'],
  'mk.reserve': ['预留', 'Reserve'],
  'mk.release': ['释放预留', 'Release'],
  'pl.reserved': ['已预留', 'Reserved'],
  'pl.ordered': ['已向海外订货', 'Ordered abroad'],
  'pl.backordered': ['缺货待补', 'Backordered'],
  'pl.received': ['已到网点', 'Received'],
  'pl.issued': ['已装机', 'Fitted'],
  'pl.cancelled': ['已取消', 'Cancelled'],
  'error.insufficient_stock': ['可用库存不足，未做任何改动。', 'Not enough available stock: nothing was changed.'],
  'error.idempotency_key_reused': ['这个操作编号已用于另一笔库存变动。', 'This idempotency key was used for another move.'],
  'error.quote_not_approved': ['这是保外（付费）维修：需先报价并经客户同意，才能申请零件或开始维修。', 'This repair is out of warranty (paid): it is quoted and the customer approves the quote before parts are requested or the repair starts.'],
  'error.quote_required': ['报价请在报价面板提交（按价格指南计算）。', 'Quote on the quote panel (priced from the price guide).'],
  'why.the line was shipped already': ['这一行已经发货。', 'The line was shipped already.'],
  "why.the part is in the outlet's own stock: nothing to ship": ['零件在网点自己的库房里，无需发货。', "The part is in the outlet's own stock: nothing to ship."],
  'why.only a reserved or ordered line is shipped': ['只有已预留或已订货的行才能发货。', 'Only a reserved or ordered line is shipped.'],
  'why.the line is backordered: nothing is on its way yet': ['这一行缺货待补，还没有零件在途。', 'The line is backordered: nothing is on its way yet.'],
  'why.only a reserved or ordered line is received': ['只有已预留或已订货的行才能收货。', 'Only a reserved or ordered line is received.'],
  'why.only a received line is issued to the repair': ['零件到网点后才能装机。', 'Only a received line is issued to the repair.'],
  'why.the part is on its way to the outlet; receive it first': ['零件正在运往网点，请先收货。', 'The part is on its way to the outlet; receive it first.'],
  'why.an issued or cancelled line cannot be cancelled': ['已装机或已取消的行不能取消。', 'An issued or cancelled line cannot be cancelled.'],
  'why.the stock for this line is not there': ['这一行的库存不在了。', 'The stock for this line is not there.'],
  'field.unknown part': ['目录中没有这个零件', 'No such part in the catalog'],
  'field.unknown warehouse': ['没有这个仓库', 'No such warehouse'],
}));

const DESK = ['admin', 'supervisor', 'warehouse'];
const CARD = 'background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:16px;margin-bottom:16px';
const grid = 'display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:0 16px';
const CHECK = 'display:flex;flex-direction:row;align-items:center;gap:6px;align-self:start;margin:34px 0 12px';

// The text of a failed parts action: a 409's reason translated when known, else the
// error code's text with the server's reason.
export function partsErrorText(err) {
  if (!err || typeof err === 'string') return err || '';
  const why = 'why.' + (err.message || '');
  if (has(why)) return t(why);
  const text = errorText(err);
  return err.code === 'conflict' && err.message && err.message !== text ? `${text} (${err.message})` : text;
}

// The local date (YYYY-MM-DD) of today in Shanghai, for late days.
function today() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}
const daysBetween = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 86400e3);

export function LineStatus({ status }) {
  return html`<span class=${'badge line-' + status} data-line-status=${status}>${t('pl.' + status)}</span>`;
}

// A button that makes one write and tells the tab how it went.
function ActButton({ label, mark, run, onDone, onError, variant = 'secondary' }) {
  const [busy, setBusy] = useState(false);
  async function click() {
    setBusy(true);
    onError(null);
    try { onDone(await run()); } catch (e) { onError(e); }
    setBusy(false);
  }
  return html`<${Button} variant=${variant} busy=${busy} onClick=${click} ...${mark}>${label}</${Button}>`;
}

// Text filters are uncontrolled inputs applied on change (blur or Enter): a re-render
// while someone types (a list arriving) must not wipe what they typed.
function useFilter(init) {
  const [f, setF] = useState(init);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  return [f, set];
}
function clean(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) if (v !== '' && v !== false && v !== undefined) out[k] = v === true ? 'true' : String(v).trim();
  return out;
}

// ---- tabs ----

function StockTab() {
  const [f, set] = useFilter({ part: '', warehouse: '', kind: '', region: '', below: false });
  const regionBad = f.region.trim() !== '' && !/^\d{6}$/.test(f.region.trim());
  const params = clean({ ...f, region: regionBad ? '' : f.region });
  const columns = [
    { key: 'part', label: t('pt.part'), render: (r) => html`<span data-part=${r.part}>${r.part}</span>` },
    { key: 'warehouse', label: t('pt.warehouse'), render: (r) => html`<span data-warehouse=${r.warehouse}>${r.warehouse}</span>` },
    { key: 'on_hand', label: t('pt.on_hand'), align: 'right' },
    { key: 'reserved', label: t('pt.reserved'), align: 'right' },
    { key: 'available', label: t('pt.available'), align: 'right', render: (r) => html`<strong data-available=${r.available}>${r.available}</strong>` },
    { key: 'in_transit', label: t('pt.in_transit'), align: 'right', render: (r) => html`<span data-in-transit=${r.in_transit}>${r.in_transit}</span>` },
    { key: 'on_order', label: t('pt.on_order'), align: 'right', render: (r) => html`<span data-on-order=${r.on_order}>${r.on_order}</span>` },
    { key: 'reorder_point', label: t('pt.reorder_point'), align: 'right', render: (r) => (r.reorder_point ?? t('pt.none')) },
    { key: 'reorder_qty', label: t('pt.reorder_qty'), align: 'right', render: (r) => (r.reorder_qty ?? t('pt.none')) },
  ];
  return html`
    <div style=${grid}>
      <${Field} label=${t('pt.part')} name="stock_part" onChange=${set('part')} />
      <${Field} label=${t('pt.warehouse')} name="stock_warehouse" onChange=${set('warehouse')} />
      <${Field} label=${t('pt.kind')} name="stock_kind" as="select" value=${f.kind} onChange=${set('kind')}
        options=${[{ value: '', label: t('pt.all') }, ...WH_KINDS.map((k) => ({ value: k, label: t('wk.' + k) }))]} />
      <${Field} label=${t('pt.region')} name="stock_region" onChange=${set('region')} inputmode="numeric"
        maxlength="6" hint=${t('pt.region_hint')} error=${regionBad ? t('pt.region_bad') : null} />
      <label style=${CHECK}><input type="checkbox" name="stock_below" checked=${f.below}
        onChange=${set('below')} /> ${t('pt.below')}</label>
    </div>
    <${PagedTable} path="/stock" params=${params} limit=${100} columns=${columns} name="stock" rowKey="_" />`;
}

// Manual moves: a receipt, a transfer (shipped; received on its tab), or an adjustment
// up or down with its reason. One idempotency key per filled-in form, so a double click
// or a retry after a lost answer moves stock once. The key changes only when the form
// does: sending the same form again (a late second click) is answered as the replay.
const MOVE_FORMS = ['receipt', 'transfer', 'adjust_up', 'adjust_down'];
const newKey = () => 'desk-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);

function MoveForm({ warehouses, onMoved }) {
  const [f, setF] = useState({ kind: 'receipt', part: '', qty: '1', from: '', to: '', reason: '' });
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const set = (k) => (e) => { setF({ ...f, [k]: e.currentTarget.value }); setKey(newKey()); };
  const needFrom = f.kind === 'transfer' || f.kind === 'adjust_down';
  const needTo = f.kind !== 'adjust_down';
  const adjust = f.kind.startsWith('adjust');
  async function save() {
    setError(null); setDone('');
    if (adjust && !f.reason.trim()) { setError({ code: 'validation_failed', fields: { reason: t('pt.move.reason_needed') } }); return; }
    const body = { kind: adjust ? 'adjustment' : f.kind, part: f.part.trim(), qty: Number(f.qty), idempotency_key: key };
    if (needFrom) body.from = f.from.trim();
    if (needTo) body.to = f.to.trim();
    if (f.reason.trim()) body.reason = f.reason.trim();
    setBusy(true);
    try {
      const m = await api.post('/stock-moves', body);
      setDone(m.transfer ? t('pt.move.transfer_done', { code: m.transfer })
        : t('pt.move.done', { kind: t('pt.move.' + f.kind), part: body.part, qty: body.qty }));
      onMoved();
    } catch (e) { setError(e); } finally { setBusy(false); }
  }
  const errs = (error && error.fields) || {};
  const whField = (k, label) => html`<${Field} label=${label} name=${'move_' + k} value=${f[k]} error=${errs[k]}
    onInput=${set(k)} list="move-warehouses" />`;
  return html`<form class="card" style=${CARD} data-testid="move-form" onSubmit=${(e) => { e.preventDefault(); save(); }}>
    <h3 style="margin-top:0">${t('pt.move.title')}</h3>
    <datalist id="move-warehouses">${warehouses.map((w) => html`<option value=${w.code}>${w.name || ''}</option>`)}</datalist>
    <div style=${grid}>
      <${Field} label=${t('pt.move.kind')} name="move_kind" as="select" value=${f.kind} onChange=${set('kind')}
        options=${MOVE_FORMS.map((k) => ({ value: k, label: t('pt.move.' + k) }))} />
      <${Field} label=${t('pt.part')} name="move_part" value=${f.part} error=${errs.part} onInput=${set('part')} />
      <${Field} label=${t('pt.qty')} name="move_qty" type="number" min="1" value=${f.qty} error=${errs.qty} onInput=${set('qty')} />
      ${needFrom ? whField('from', t('pt.from')) : null}
      ${needTo ? whField('to', t('pt.to')) : null}
      <${Field} label=${t('pt.reason')} name="move_reason" value=${f.reason} error=${errs.reason} onInput=${set('reason')} />
    </div>
    <${Button} type="submit" busy=${busy} data-move>${t('pt.move.save')}</${Button}>
    <${ErrorBanner} error=${partsErrorText(error)} onDismiss=${() => setError(null)} />
    ${done ? html`<${Notice} tone="success"><span data-testid="move-done">${done}</span></${Notice}>` : null}
  </form>`;
}

function MovesTab({ warehouses = [] }) {
  const [f, set] = useFilter({ part: '', warehouse: '', kind: '' });
  const [round, setRound] = useState(0);
  const columns = [
    { key: 'at', label: t('pt.at'), render: (r) => formatDateTime(r.at) },
    { key: 'kind', label: t('pt.move_kind'), render: (r) => html`<span data-kind=${r.kind}>${t('mk.' + r.kind)}</span>` },
    { key: 'part', label: t('pt.part') },
    { key: 'qty', label: t('pt.qty'), align: 'right' },
    { key: 'from', label: t('pt.from') },
    { key: 'to', label: t('pt.to') },
    { key: 'repair', label: t('pt.repair'), render: (r) => (r.repair ? html`<a href=${'#/repairs/' + r.repair}>${r.repair}</a>` : '') },
    { key: 'transfer', label: t('pt.transfer') },
    { key: 'reason', label: t('pt.reason') },
    { key: 'actor', label: t('pt.actor') },
  ];
  return html`
    <${MoveForm} warehouses=${warehouses} onMoved=${() => setRound((n) => n + 1)} />
    <div style=${grid}>
      <${Field} label=${t('pt.part')} name="moves_part" onChange=${set('part')} />
      <${Field} label=${t('pt.warehouse')} name="moves_warehouse" onChange=${set('warehouse')} />
      <${Field} label=${t('pt.move_kind')} name="moves_kind" as="select" value=${f.kind} onChange=${set('kind')}
        options=${[{ value: '', label: t('pt.all') }, ...MOVE_KINDS.map((k) => ({ value: k, label: t('mk.' + k) }))]} />
    </div>
    <${PagedTable} key=${round} path="/stock-moves" params=${clean(f)} limit=${100} columns=${columns} name="stock-moves" rowKey="id" />`;
}

// A tab whose rows carry an action: the outcome above the list, and the list read
// again after each action.
function useActed() {
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const [round, setRound] = useState(0);
  return {
    error, done, round,
    onError: (e) => { setError(e); if (e) setDone(''); },
    onDone: (text) => { setDone(text); setRound((n) => n + 1); },
    banner: html`<${ErrorBanner} error=${partsErrorText(error)} onDismiss=${() => setError(null)} />
      ${done ? html`<${Notice} tone="success"><span data-testid="desk-done">${done}</span></${Notice}>` : null}`,
  };
}

function ShipTab({ desk }) {
  const a = useActed();
  const columns = [
    { key: 'code', label: t('pt.line') },
    { key: 'repair', label: t('pt.repair'), render: (r) => html`<a href=${'#/repairs/' + r.repair}>${r.repair}</a>` },
    { key: 'part', label: t('pt.part') },
    { key: 'qty', label: t('pt.qty'), align: 'right' },
    { key: 'warehouse', label: t('pt.from') },
    { key: 'status', label: t('pt.status'), render: (r) => html`<${LineStatus} status=${r.status} />` },
    { key: 'promise_date', label: t('pt.promise') },
    ...(desk ? [{ key: 'ship', label: '', render: (r) => html`<${ActButton} label=${t('pt.ship')} mark=${{ 'data-ship': r.code }}
      run=${() => api.post(`/part-request-lines/${encodeURIComponent(r.code)}/ship`, {})}
      onDone=${(x) => a.onDone(t('pt.shipped', { line: x.code, transfer: x.transfer?.code || '' }))} onError=${a.onError} />` }] : []),
  ];
  return html`${a.banner}
    <${PagedTable} key=${a.round} path="/part-request-lines" params=${{ to_ship: 'true' }} limit=${100} columns=${columns} name="lines-to-ship" />`;
}

function ReceiveTab() {
  const a = useActed();
  const [f, set] = useFilter({ warehouse: '', part: '' });
  const columns = [
    { key: 'code', label: t('pt.transfer') },
    { key: 'part', label: t('pt.part') },
    { key: 'qty', label: t('pt.qty'), align: 'right' },
    { key: 'from', label: t('pt.from') },
    { key: 'to', label: t('pt.to') },
    { key: 'shipped_at', label: t('pt.shipped_at'), render: (r) => formatDateTime(r.shipped_at) },
    { key: 'shipped_by', label: t('pt.shipped_by') },
    { key: 'receive', label: '', render: (r) => html`<${ActButton} label=${t('pt.receive')} mark=${{ 'data-receive': r.code }}
      run=${() => api.post(`/transfers/${encodeURIComponent(r.code)}/receive`, {})}
      onDone=${(x) => a.onDone(t('pt.received', { code: x.code }))} onError=${a.onError} />` },
  ];
  return html`${a.banner}
    <div style=${grid}>
      <${Field} label=${t('pt.warehouse')} name="receive_warehouse" onChange=${set('warehouse')} />
      <${Field} label=${t('pt.part')} name="receive_part" onChange=${set('part')} />
    </div>
    <${PagedTable} key=${a.round} path="/transfers" params=${clean({ ...f, status: 'in_transit' })} limit=${100}
      columns=${columns} name="transfers-to-receive" />`;
}

function ReturnsTab({ desk, warehouses }) {
  const a = useActed();
  const [f, set] = useFilter({ status: 'expected', overdue: false });
  const [into, setInto] = useState('');
  const target = into || warehouses.find((w) => w.kind === 'central')?.code || warehouses[0]?.code || '';
  const columns = [
    { key: 'line', label: t('pt.line') },
    { key: 'repair', label: t('pt.repair'), render: (r) => html`<a href=${'#/repairs/' + r.repair}>${r.repair}</a>` },
    { key: 'outlet', label: t('pt.outlet') },
    { key: 'part', label: t('pt.part') },
    { key: 'qty', label: t('pt.qty'), align: 'right' },
    { key: 'faulty_serial', label: t('pt.faulty_serial') },
    { key: 'due_date', label: t('pt.due'), render: (r) => html`<span class=${r.overdue ? 'text-danger' : ''} data-overdue=${r.overdue ? 'true' : 'false'}>
      ${r.due_date}${r.overdue ? ' · ' + t('pt.overdue') : ''}</span>` },
    { key: 'status', label: t('pt.status'), render: (r) => t('pt.return_status.' + r.status) },
    { key: 'warehouse', label: t('pt.warehouse') },
    ...(desk ? [{ key: 'act', label: '', render: (r) => (r.status === 'expected' ? html`<${ActButton} label=${t('pt.receive')}
      mark=${{ 'data-return': r.line }} run=${() => api.post(`/part-returns/${encodeURIComponent(r.line)}/receive`, { warehouse: target })}
      onDone=${(x) => a.onDone(t('pt.return_received', { line: x.line }))} onError=${a.onError} />` : '') }] : []),
  ];
  return html`${a.banner}
    <div style=${grid}>
      <${Field} label=${t('pt.status')} name="returns_status" as="select" value=${f.status} onChange=${set('status')}
        options=${[{ value: '', label: t('pt.all') }, ...['expected', 'received'].map((s) => ({ value: s, label: t('pt.return_status.' + s) }))]} />
      <label style=${CHECK}><input type="checkbox" name="returns_overdue" checked=${f.overdue}
        onChange=${set('overdue')} /> ${t('pt.overdue_only')}</label>
      ${desk ? html`<${Field} label=${t('pt.return_to')} name="returns_into" as="select" value=${target}
        onChange=${(e) => setInto(e.currentTarget.value)}
        options=${warehouses.filter((w) => w.kind !== 'outlet').map((w) => ({ value: w.code, label: `${w.code} · ${w.name}` }))} />` : null}
    </div>
    <${PagedTable} key=${a.round} path="/part-returns" params=${clean(f)} limit=${100} columns=${columns} name="part-returns" rowKey="line" />`;
}

function ReplenishTab({ desk }) {
  const a = useActed();
  const [f, set] = useFilter({ warehouse: '' });
  const confirm = (r) => {
    const s = r.suggestion;
    // one key per suggestion shown: a double click moves stock, or orders, once
    const idempotency_key = `replenish-${r.warehouse}-${r.part}-${s.kind}-${s.qty}-${r.available}-${r.in_transit}-${r.on_order}`;
    if (s.kind === 'transfer') {
      return api.post('/stock-moves', { kind: 'transfer', part: r.part, qty: s.qty, from: s.from, to: r.warehouse, idempotency_key });
    }
    return api.post('/purchase-orders', { warehouse: r.warehouse, lines: [{ part: r.part, qty: s.qty }], idempotency_key });
  };
  const columns = [
    { key: 'warehouse', label: t('pt.warehouse') },
    { key: 'part', label: t('pt.part') },
    { key: 'available', label: t('pt.available'), align: 'right' },
    { key: 'in_transit', label: t('pt.in_transit'), align: 'right' },
    { key: 'on_order', label: t('pt.on_order'), align: 'right' },
    { key: 'reorder_point', label: t('pt.reorder_point'), align: 'right' },
    { key: 'reorder_qty', label: t('pt.reorder_qty'), align: 'right' },
    { key: 'suggestion', label: t('pt.suggestion'), render: (r) => html`<span data-suggestion=${r.suggestion.kind}>${r.suggestion.kind === 'transfer'
      ? t('pt.sugg.transfer', { from: r.suggestion.from, qty: r.suggestion.qty }) : t('pt.sugg.purchase', { qty: r.suggestion.qty })}</span>` },
    ...(desk ? [{ key: 'act', label: '', render: (r) => html`<${ActButton}
      label=${t(r.suggestion.kind === 'transfer' ? 'pt.confirm_transfer' : 'pt.confirm_purchase')}
      mark=${{ 'data-confirm': `${r.warehouse}/${r.part}` }} run=${() => confirm(r)}
      onDone=${(x) => a.onDone(x && x.lines ? t('po.placed', { code: x.code, part: r.part, qty: r.suggestion.qty, warehouse: r.warehouse, date: x.expected_date })
        : t('pt.confirmed', { part: r.part, qty: r.suggestion.qty, warehouse: r.warehouse }))} onError=${a.onError} />` }] : []),
  ];
  return html`${a.banner}
    <div style=${grid}><${Field} label=${t('pt.warehouse')} name="replenish_warehouse" onChange=${set('warehouse')} /></div>
    <${PagedTable} key=${a.round} path="/replenishment" params=${clean(f)} limit=${100} columns=${columns} name="replenishment" rowKey="_" />`;
}

const PO_STATUSES = ['open', 'partly_received', 'received', 'cancelled'];
const poOpen = (o) => o.status === 'open' || o.status === 'partly_received';

export function PoStatus({ status }) {
  return html`<span class=${'badge po-' + status} data-po-status=${status}>${t('po.status.' + status)}</span>`;
}

// One purchase order: its lines with a quantity to receive each (the outstanding one
// to start with), receive those or everything, cancel while open, and the receipts.
// One idempotency key per filled-in form, so a double click receives once.
function PurchaseOrder({ code, onChanged, onClose }) {
  const [po, setPo] = useState(null);
  const [qty, setQty] = useState({});
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(newKey);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState('');
  const show = (o) => { setPo(o); setQty(Object.fromEntries(o.lines.map((l) => [l.part, String(l.outstanding)]))); };
  useEffect(() => { api.get(`/purchase-orders/${encodeURIComponent(code)}`).then(show, setError); }, [code]);
  async function act(what, body, text) {
    setError(null); setDone(''); setBusy(what);
    try {
      const o = await api.post(`/purchase-orders/${encodeURIComponent(code)}/${what}`, body);
      show(o); setKey(newKey()); setDone(text(o)); onChanged();
    } catch (e) { setError(e); } finally { setBusy(''); }
  }
  if (!po) return html`<${ErrorBanner} error=${partsErrorText(error)} />`;
  const receiveSome = () => {
    const lines = po.lines.filter((l) => l.outstanding > 0 && Number(qty[l.part]) > 0).map((l) => ({ part: l.part, qty: Number(qty[l.part]) }));
    if (!lines.length) { setError(t('po.nothing_to_receive')); return; }
    act('receive', { lines, idempotency_key: key }, (o) => t('po.received_done', { code: o.code, status: t('po.status.' + o.status) }));
  };
  const columns = [
    { key: 'line_no', label: '#', align: 'right' },
    { key: 'part', label: t('pt.part') },
    { key: 'qty', label: t('pt.qty'), align: 'right' },
    { key: 'received_qty', label: t('po.received_qty'), align: 'right' },
    { key: 'outstanding', label: t('po.outstanding'), align: 'right' },
    { key: 'expected_date', label: t('po.expected') },
    ...(poOpen(po) ? [{ key: 'now', label: t('po.receive_qty'), render: (l) => (l.outstanding > 0 ? html`<input type="number" min="0" max=${l.outstanding}
      style="width:6em" name=${'po_qty_' + l.part} aria-label=${t('po.receive_qty') + ' ' + l.part} value=${qty[l.part] ?? ''}
      onInput=${(e) => { setQty({ ...qty, [l.part]: e.currentTarget.value }); setKey(newKey()); }} />` : '') }] : []),
  ];
  return html`<div class="card" style=${CARD} data-testid="po-detail" data-po=${po.code}>
    <div style="display:flex;justify-content:space-between;align-items:center">
      <h3 style="margin:0">${t('po.detail', { code: po.code })} <${PoStatus} status=${po.status} /></h3>
      <${Button} variant="secondary" onClick=${onClose}>${t('po.close')}</${Button}>
    </div>
    <p>${po.warehouse} · ${po.supplier || t('pt.none')} · ${t('po.source.' + po.source)} · ${t('po.expected')} ${po.expected_date}${po.overdue ? ' · ' + t('pt.overdue') : ''}</p>
    <${Table} columns=${columns} rows=${po.lines} rowKey="line_no" />
    ${poOpen(po) ? html`<div style="display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin-top:8px">
      <${Button} busy=${busy === 'receive'} onClick=${receiveSome} data-po-receive>${t('po.receive')}</${Button}>
      <${Button} variant="secondary" busy=${busy === 'receive-all'} data-po-receive-all
        onClick=${() => act('receive', { idempotency_key: key + '-all' }, (o) => t('po.received_done', { code: o.code, status: t('po.status.' + o.status) }))}>${t('po.receive_all')}</${Button}>
      ${po.status === 'open' ? html`<${Field} label=${t('po.cancel_reason')} name="po_cancel_reason" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} />
        <${Button} variant="secondary" busy=${busy === 'cancel'} data-po-cancel
          onClick=${() => act('cancel', reason.trim() ? { reason: reason.trim() } : {}, (o) => t('po.cancelled_done', { code: o.code }))}>${t('po.cancel')}</${Button}>` : null}
    </div>` : null}
    <${ErrorBanner} error=${partsErrorText(error)} onDismiss=${() => setError(null)} />
    ${done ? html`<${Notice} tone="success"><span data-testid="po-done">${done}</span></${Notice}>` : null}
    <h4>${t('po.receipts')}</h4>
    ${po.receipts.length ? html`<ul data-testid="po-receipts">${po.receipts.map((x) => html`<li key=${x.move}>${formatDateTime(x.at)} · ${x.part} × ${x.qty} · ${x.actor}</li>`)}</ul>`
      : html`<p>${t('po.no_receipts')}</p>`}
  </div>`;
}

function OrdersTab() {
  const [f, set] = useFilter({ status: '', warehouse: '', part: '' });
  const [open, setOpen] = useState(null);
  const [round, setRound] = useState(0);
  const columns = [
    { key: 'code', label: t('po.code'), render: (r) => html`<a href="#" data-po-open=${r.code} onClick=${(e) => { e.preventDefault(); setOpen(r.code); }}>${r.code}</a>` },
    { key: 'warehouse', label: t('pt.warehouse') },
    { key: 'supplier', label: t('po.supplier'), render: (r) => r.supplier || '' },
    { key: 'source', label: t('po.source'), render: (r) => t('po.source.' + r.source) },
    { key: 'status', label: t('pt.status'), render: (r) => html`<${PoStatus} status=${r.status} />` },
    { key: 'expected_date', label: t('po.expected'), render: (r) => html`<span class=${r.overdue ? 'text-danger' : ''}>${r.expected_date}${r.overdue ? ' · ' + t('pt.overdue') : ''}</span>` },
    { key: 'parts', label: t('po.parts') },
    { key: 'qty', label: t('pt.qty'), align: 'right' },
    { key: 'received_qty', label: t('po.received_qty'), align: 'right' },
    { key: 'outstanding', label: t('po.outstanding'), align: 'right' },
  ];
  return html`
    ${open ? html`<${PurchaseOrder} key=${open} code=${open} onChanged=${() => setRound((n) => n + 1)} onClose=${() => setOpen(null)} />` : null}
    <div style=${grid}>
      <${Field} label=${t('pt.status')} name="orders_status" as="select" value=${f.status} onChange=${set('status')}
        options=${[{ value: '', label: t('pt.all') }, ...PO_STATUSES.map((k) => ({ value: k, label: t('po.status.' + k) }))]} />
      <${Field} label=${t('pt.warehouse')} name="orders_warehouse" onChange=${set('warehouse')} />
      <${Field} label=${t('pt.part')} name="orders_part" onChange=${set('part')} />
    </div>
    <${PagedTable} key=${round} path="/purchase-orders" params=${clean(f)} limit=${100} columns=${columns} name="purchase-orders" rowKey="code" />`;
}

function LateTab() {
  const now = today();
  const columns = [
    { key: 'code', label: t('pt.line') },
    { key: 'repair', label: t('pt.repair'), render: (r) => html`<a href=${'#/repairs/' + r.repair}>${r.repair}</a>` },
    { key: 'part', label: t('pt.part') },
    { key: 'qty', label: t('pt.qty'), align: 'right' },
    { key: 'status', label: t('pt.status'), render: (r) => html`<${LineStatus} status=${r.status} />` },
    { key: 'warehouse', label: t('pt.warehouse') },
    { key: 'promise_date', label: t('pt.promise'), render: (r) => html`<span class="text-danger">${r.promise_date}</span>` },
    { key: 'late', label: t('pt.days_late'), align: 'right', render: (r) => (r.promise_date ? daysBetween(r.promise_date, now) : '') },
  ];
  return html`<${PagedTable} path="/part-request-lines" params=${{ late: 'true' }} limit=${100} columns=${columns} name="late-parts" />`;
}

const TABS = [
  ['stock', StockTab, true], ['moves', MovesTab, true], ['ship', ShipTab, false], ['receive', ReceiveTab, true],
  ['returns', ReturnsTab, true], ['replenish', ReplenishTab, false], ['orders', OrdersTab, false], ['late', LateTab, true],
];

export default function PartsView({ user, params }) {
  const desk = DESK.includes(user.role);
  const tabs = TABS.filter(([, , outlet]) => desk || outlet);
  const [tab, setTab] = useState(tabs.some(([k]) => k === params[0]) ? params[0] : 'stock');
  const [warehouses, setWarehouses] = useState([]);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (desk) api.get('/warehouses', { query: { limit: 1000 } }).then((r) => setWarehouses(r.items), setError);
  }, [desk]);
  const pick = (k) => { setTab(k); history.replaceState(null, '', '#/parts/' + k); };
  const View = tabs.find(([k]) => k === tab)[1];
  return html`<${Page} title=${t('pt.title')}>
    ${desk ? null : html`<${Notice}>${t('pt.outlet_only')}</${Notice}>`}
    <${ErrorBanner} error=${error} />
    <div class="card" style=${CARD}>
      <div class="table-toolbar" role="tablist" aria-label=${t('pt.title')} style="gap:6px;flex-wrap:wrap;justify-content:flex-start">
        ${tabs.map(([k]) => html`<button type="button" key=${k} role="tab" class=${'btn ' + (tab === k ? 'btn-primary' : 'btn-secondary')}
          data-tab=${k} aria-selected=${tab === k ? 'true' : 'false'} onClick=${() => pick(k)}>${t('pt.tab.' + k)}</button>`)}
      </div>
      <div data-testid=${'desk-' + tab}>
        <${View} key=${tab} desk=${desk} warehouses=${warehouses} />
      </div>
    </div>
  </${Page}>`;
}
