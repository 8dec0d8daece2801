// Browser test of the spare-parts screens (issue 10 items 4 and 8, SPEC M7) in headless
// Chromium: a paid repair offers no parts before its quote is approved (409
// quote_not_approved); the outlet's technician requests parts on a repair (an unknown part refused
// on its line, nothing changed), sees the line reserved at the central parts center with
// its promise date (today + 3, local), and the repair waiting for parts; the warehouse
// desk ships the line (a line shipped meanwhile is refused in words), receives a
// transfer, confirms a replenishment suggestion and receives a defective return, orders a purchase suggestion and
// receives the purchase order in part and in full, and cancels another; the technician receives the part at the
// outlet, the repair's next step shows (also on the queue) and the repair moves on; a
// download from the desk has XLSX header = CSV header; outlet staff see only their own
// stock room; a screenshot of the desk in Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../api/lib/server.mjs';
import { launch, staffPage } from './lib/browser.mjs';
import { xlsxHeader } from './lib/xlsx.mjs';

const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const PART = `E2E-PT-${Date.now().toString(36).toUpperCase()}`;
const SPARE = `${PART}-B`; // moved between warehouses by the desk
/** Local (Asia/Shanghai, the default zone) date n days from now. */
const localDate = (days = 0) => new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);

let server, browser, token, wh, code, tmp, line, transfer;

const api = (p, body, tok = token) => server.api(p, { token: tok, body });
/** The contract's fields of a balance (the list has in_transit, on_order and the reorder point too). */
const contract = (b) => b && { warehouse: b.warehouse, part: b.part, on_hand: b.on_hand, reserved: b.reserved, available: b.available };

before(async () => {
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  token = await server.token('supervisor');
  wh = await server.token('warehouse');
  for (const number of [PART, SPARE]) {
    const x = await api('/api/v1/parts', { number, description: `测试主板 ${number}`, price_fen: 23400, source: 'domestic' }, wh);
    assert.equal(x.status, 201, x.text);
    assert.equal((await api('/api/v1/stock-moves', { kind: 'receipt', part: number, qty: 5, to: 'SH-PC' }, wh)).status, 201);
  }
  // a transfer in transit for the desk to receive
  let x = await api('/api/v1/stock-moves', { kind: 'transfer', part: SPARE, qty: 2, from: 'SH-PC', to: 'BJ-BR' }, wh);
  assert.equal(x.status, 201, x.text);
  transfer = x.json.transfer;
  assert.ok(transfer, x.text);
  // a repair at O0001 (the demo technician's outlet), being diagnosed
  x = await api('/api/v1/customers', { name: '薛宝钗', phone: '13955507788' });
  assert.equal(x.status, 201, x.text);
  x = await api('/api/v1/repairs', { customer: x.json.code, model: 'XR-75X90L', fault: '背光不亮', outlet: 'O0001' });
  assert.equal(x.status, 201, x.text);
  code = x.json.code;
  for (const to of ['received', 'diagnosing']) assert.equal((await api(`/api/v1/repairs/${code}/transitions`, { to })).status, 200);
  browser = await launch();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'parts-e2e-'));
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const staff = (login, hash, locale = 'zh-CN') => staffPage(browser, server, login, hash, { locale });

test('the technician requests parts: an unknown part is refused on its line, then the line is reserved with its promise', async () => {
  const { context, page, errors } = await staff('tech', `#/repairs/${code}`);
  // a paid repair is quoted on the quote panel only: the next-step card offers no typed quote, and
  // neither parts nor the repair itself before the customer approves the quote (SPEC M4)
  await page.waitForSelector('[data-testid=parts-quote-first]');
  assert.match(await page.textContent('[data-testid=parts-quote-first]'), /先在“报价”面板报价/);
  assert.equal(await page.locator('[data-testid=parts-form]').count(), 0);
  assert.equal(await page.locator('button[data-to=quoted]').count(), 0);
  assert.equal(await page.locator('button[data-to=waiting_parts]').count(), 0);
  assert.equal(await page.locator('button[data-to=repairing]').count(), 0);
  assert.equal(await page.locator('input[name=quote]').count(), 0);
  assert.match(await page.textContent('[data-testid=quote-on-panel]'), /报价”面板/);
  let x = await api(`/api/v1/repairs/${code}/part-requests`, { lines: [{ part: PART, qty: 1 }] });
  assert.equal(x.status, 409, x.text);
  assert.equal(x.json.error.code, 'quote_not_approved');
  // quoted (level C: a board) and approved: now parts are requested
  x = await api(`/api/v1/repairs/${code}/quote`, { level: 'C', parts: [{ part: PART, qty: 1 }] });
  assert.equal(x.status, 201, x.text);
  assert.equal((await api(`/api/v1/repairs/${code}/transitions`, { to: 'approved' })).status, 200);
  await page.reload();
  await page.waitForSelector('[data-testid=parts-form]');
  // the lines are read after the form is shown: wait for their answer
  await page.waitForFunction(() => /还没有申请零件/.test(document.querySelector('[data-testid=parts-panel]')?.textContent || ''));
  await page.waitForSelector('button[data-to=waiting_parts]');
  await page.fill('input[name=rp_part_0]', 'NO-SUCH-PART-9');
  await page.click('[data-testid=rp-add]');
  await page.fill('input[name=rp_part_1]', PART.toLowerCase());
  await page.click('[data-testid=parts-form] button[type=submit]');
  const err = await page.waitForSelector('#f-rp_part_0-error');
  assert.match(await err.textContent(), /目录中没有这个零件/);
  assert.equal(await page.locator('#f-rp_part_1-error').count(), 0, 'the known part is not marked');
  x = await server.api(`/api/v1/repairs/${code}/part-requests`, { token });
  assert.deepEqual(x.json.items, [], 'nothing was requested');
  assert.equal((await server.api(`/api/v1/repairs/${code}`, { token })).json.status, 'approved');
  // drop the bad line and request again
  await page.click('[data-part-line="0"] button:has-text("移除")');
  await page.click('[data-testid=parts-form] button[type=submit]');
  await page.waitForSelector('[data-testid=parts-lines] tr[data-line]');
  const row = page.locator('[data-testid=parts-lines] tr[data-line]');
  assert.equal(await row.count(), 1);
  line = await row.getAttribute('data-line');
  assert.equal(await row.getAttribute('data-status'), 'reserved');
  assert.equal((await row.locator('[data-warehouse]').textContent()).trim(), 'SH-PC');
  assert.equal((await row.locator('[data-promise]').textContent()).trim(), localDate(3), 'central stock: today + 3 (local)');
  assert.match(await row.textContent(), /已预留/);
  await page.waitForSelector('.repair-head [data-status=waiting_parts]');
  await page.locator('[data-testid=parts-panel]').screenshot({ path: path.join(SHOTS, 'repair-parts.png') });
  x = await server.api(`/api/v1/repairs/${code}/part-requests`, { token });
  assert.deepEqual(x.json.items[0].lines.map((l) => [l.code, l.part, l.qty, l.status, l.warehouse, l.promise_date]),
    [[line, PART, 1, 'reserved', 'SH-PC', localDate(3)]]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the warehouse desk ships the line (a line shipped meanwhile is refused in words) and receives a transfer', async () => {
  assert.ok(line, 'the request test ran first');
  // another repair's line, which someone else ships while the desk shows it
  let x = await api('/api/v1/repairs', { customer: (await server.api(`/api/v1/repairs/${code}`, { token })).json.customer.code,
    model: 'XR-75X90L', fault: '无声音', outlet: 'O0001' });
  const other = x.json.code;
  for (const to of ['received', 'diagnosing']) assert.equal((await api(`/api/v1/repairs/${other}/transitions`, { to })).status, 200);
  // a paid repair: quoted and approved before its parts are requested
  assert.equal((await api(`/api/v1/repairs/${other}/quote`, { level: 'B', parts: [] })).status, 201);
  assert.equal((await api(`/api/v1/repairs/${other}/transitions`, { to: 'approved' })).status, 200);
  x = await api(`/api/v1/repairs/${other}/part-requests`, { lines: [{ part: SPARE, qty: 1 }] });
  assert.equal(x.status, 201, x.text);
  const stale = x.json.lines[0].code;
  const { context, page, errors } = await staff('warehouse', '#/parts');
  await page.waitForSelector('[data-testid=desk-stock]');
  await page.click('button[data-tab=ship]');
  await page.waitForSelector(`[data-ship="${stale}"]`);
  assert.equal((await api(`/api/v1/part-request-lines/${stale}/ship`, {}, wh)).status, 200);
  await page.click(`[data-ship="${stale}"]`);
  const banner = await page.waitForSelector('[data-testid=desk-ship] .banner-error');
  assert.match(await banner.textContent(), /这一行已经发货/);
  const ship = await page.waitForSelector(`[data-ship="${line}"]`);
  await ship.click();
  await page.waitForSelector('[data-testid=desk-done]');
  assert.match(await page.textContent('[data-testid=desk-done]'), new RegExp(`${line} 已发货，调拨单 T`));
  await page.waitForSelector(`[data-ship="${line}"]`, { state: 'detached' });
  assert.equal(await page.locator('[data-testid=desk-ship] .banner-error').count(), 0, 'the old error is gone');
  x = await server.api(`/api/v1/repairs/${code}/part-requests`, { token });
  const shipped = x.json.items[0].lines[0];
  assert.equal(shipped.transfer.status, 'in_transit');
  assert.deepEqual(contract((await server.api(`/api/v1/stock?part=${PART}&warehouse=SH-PC`, { token: wh })).json.items[0]),
    { warehouse: 'SH-PC', part: PART, on_hand: 4, reserved: 0, available: 4 });
  // the receiving side: the transfer to Beijing is received at the desk
  await page.click('button[data-tab=receive]');
  await page.fill('input[name=receive_part]', SPARE);
  await page.fill('input[name=receive_warehouse]', 'BJ-BR');
  await page.press('input[name=receive_warehouse]', 'Tab');
  await page.waitForFunction(() => (document.querySelector('[data-download=transfers-to-receive-csv]')?.href || '').includes('BJ-BR'));
  const recv = await page.waitForSelector(`[data-receive="${transfer}"]`);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=desk-receive] tbody tr').length === 1);
  await recv.click();
  await page.waitForSelector(`[data-receive="${transfer}"]`, { state: 'detached' });
  assert.match(await page.textContent('[data-testid=desk-done]'), new RegExp(`${transfer} 已收货`));
  x = await server.api(`/api/v1/stock?part=${SPARE}&warehouse=BJ-BR`, { token: wh });
  assert.deepEqual(contract(x.json.items[0]), { warehouse: 'BJ-BR', part: SPARE, on_hand: 2, reserved: 0, available: 2 });
  // replenishment: a reorder point at Guangzhou makes a suggestion; confirming it moves the stock once
  assert.equal((await api('/api/v1/reorder-points', { part: SPARE, warehouse: 'GZ-BR', reorder_point: 1, reorder_qty: 1 }, wh)).status, 200);
  x = await server.api('/api/v1/replenishment?warehouse=GZ-BR&limit=1000', { token: wh });
  const sugg = x.json.items.find((i) => i.part === SPARE);
  assert.ok(sugg, x.text);
  await page.click('button[data-tab=replenish]');
  await page.fill('input[name=replenish_warehouse]', 'GZ-BR');
  await page.press('input[name=replenish_warehouse]', 'Tab');
  await page.click(`[data-confirm="GZ-BR/${SPARE}"]`);
  await page.waitForSelector(`[data-confirm="GZ-BR/${SPARE}"]`, { state: 'detached' });
  x = await server.api(`/api/v1/stock-moves?part=${SPARE}&warehouse=GZ-BR`, { token: wh });
  if (sugg.suggestion.kind === 'transfer') {
    assert.match(await page.textContent('[data-testid=desk-done]'), new RegExp(`已确认：${SPARE} ${sugg.suggestion.qty} 件到 GZ-BR`));
    assert.deepEqual(x.json.items.map((m) => [m.kind, m.qty, m.to]), [['transfer_ship', sugg.suggestion.qty, 'GZ-BR']]);
  } else { // a purchase is ordered, not received: nothing moves yet
    assert.match(await page.textContent('[data-testid=desk-done]'), new RegExp(`已下采购单 PO\\d{8}：${SPARE} ${sugg.suggestion.qty} 件到 GZ-BR`));
    assert.deepEqual(x.json.items, []);
  }
  // a defective return expected from an outlet (the demo has some) is received into the central center
  x = await server.api('/api/v1/part-returns?status=expected&limit=1', { token: wh });
  const ret = x.json.items[0];
  assert.ok(ret, 'the demo has an expected return');
  await page.click('button[data-tab=returns]');
  await page.selectOption('select[name=returns_into]', 'SH-PC');
  await page.click(`[data-return="${ret.line}"]`);
  await page.waitForSelector(`[data-return="${ret.line}"]`, { state: 'detached' });
  x = await server.api('/api/v1/part-returns?status=received&limit=1000', { token: wh });
  assert.deepEqual(x.json.items.filter((i) => i.line === ret.line).map((i) => [i.status, i.warehouse]), [['received', 'SH-PC']]);
  // the stock tab with its filters, and a screenshot of the desk (Chinese must render)
  await page.click('button[data-tab=stock]');
  await page.fill('input[name=stock_part]', SPARE);
  await page.press('input[name=stock_part]', 'Tab');
  await page.selectOption('select[name=stock_kind]', 'branch');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=desk-stock] [data-warehouse]')].map((e) => e.dataset.warehouse).join() === 'BJ-BR,GZ-BR');
  await page.fill('input[name=stock_region]', '110000');
  await page.press('input[name=stock_region]', 'Tab');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=desk-stock] [data-warehouse]')].map((e) => e.dataset.warehouse).join() === 'BJ-BR');
  await page.screenshot({ path: path.join(SHOTS, 'parts-desk.png'), fullPage: true });
  const text = await page.textContent('body');
  assert.match(text, /备件仓库/);
  assert.match(text, /待发货/);
  // the glyphs are drawn: the tab's Chinese label is as wide as its characters need
  const w = await page.$eval('button[data-tab=ship]', (b) => b.getBoundingClientRect().width);
  assert.ok(w > 30, `the 待发货 tab is drawn (${w}px)`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the part is received at the outlet: the next step shows on the repair and on the queue, and the repair moves on', async () => {
  assert.ok(line, 'the request test ran first');
  const { context, page, errors } = await staff('tech', `#/repairs/${code}`);
  const row = page.locator(`[data-testid=parts-lines] tr[data-line="${line}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /在途/);
  assert.equal(await page.locator('[data-testid=parts-ready]').count(), 0, 'not ready before it arrives');
  await row.locator('button[data-act=receive]').click();
  await page.waitForSelector(`[data-testid=parts-lines] tr[data-line="${line}"][data-status=received]`);
  await page.waitForSelector('[data-testid=parts-ready]');
  assert.match(await page.textContent('[data-testid=parts-ready]'), /零件已全部到齐/);
  assert.deepEqual(contract((await server.api(`/api/v1/stock?part=${PART}&warehouse=W-O0001`, { token: wh })).json.items[0]),
    { warehouse: 'W-O0001', part: PART, on_hand: 1, reserved: 1, available: 0 });
  // the outlet's queue marks it
  await page.goto(server.url + '/#/repairs');
  await page.waitForSelector(`[data-parts-ready="${code}"]`);
  // back on the repair: start repairing from the parts panel, then fit the part
  await page.goto(server.url + `/#/repairs/${code}`);
  await page.click('[data-testid=parts-start]');
  await page.waitForSelector('.repair-head [data-status=repairing]');
  await page.fill(`input[name="serial_${line}"]`, 'NEW-SN-1');
  await page.click(`[data-testid=parts-lines] tr[data-line="${line}"] button[data-act=issue]`);
  await page.waitForSelector(`[data-testid=parts-lines] tr[data-line="${line}"][data-status=issued]`);
  const x = await server.api(`/api/v1/repairs/${code}`, { token });
  assert.equal(x.json.status, 'repairing');
  assert.deepEqual(x.json.events.map((e) => e.status), ['registered', 'received', 'diagnosing', 'quoted', 'approved', 'waiting_parts', 'repairing']);
  const l = (await server.api(`/api/v1/repairs/${code}/part-requests`, { token })).json.items[0].lines[0];
  assert.deepEqual([l.status, l.fitted_serial], ['issued', 'NEW-SN-1']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('purchase orders on the desk: a confirmed purchase suggestion is ordered, received in part, then in full; another is cancelled', async () => {
  const P = `${PART}-PO`;
  assert.equal((await api('/api/v1/parts', { number: P, description: `测试电源板 ${P}`, price_fen: 5600, source: 'domestic' }, wh)).status, 201);
  assert.equal((await api('/api/v1/reorder-points', { part: P, warehouse: 'GZ-BR', reorder_point: 0, reorder_qty: 4 }, wh)).status, 200);
  const { context, page, errors } = await staff('warehouse', '#/parts/replenish');
  await page.fill('input[name=replenish_warehouse]', 'GZ-BR');
  await page.press('input[name=replenish_warehouse]', 'Tab');
  await page.click(`[data-confirm="GZ-BR/${P}"]`);
  await page.waitForSelector(`[data-confirm="GZ-BR/${P}"]`, { state: 'detached' });
  const done = await page.textContent('[data-testid=desk-done]');
  const po = done.match(/PO\d{8}/)?.[0];
  assert.ok(po, done);
  assert.match(done, new RegExp(`${P} 4 件到 GZ-BR，预计 ${localDate(3)}`));
  // on order, so not suggested again; the stock tab shows it
  let x = await server.api(`/api/v1/replenishment?warehouse=GZ-BR&limit=1000`, { token: wh });
  assert.ok(!x.json.items.some((i) => i.part === P), x.text);
  await page.click('button[data-tab=stock]');
  await page.fill('input[name=stock_part]', P);
  await page.press('input[name=stock_part]', 'Tab');
  await page.waitForSelector('[data-testid=desk-stock] [data-on-order="4"]');
  // the orders tab: the list, the detail, a partial receipt, then the rest
  await page.click('button[data-tab=orders]');
  await page.fill('input[name=orders_part]', P);
  await page.press('input[name=orders_part]', 'Tab');
  await page.waitForFunction((p) => (document.querySelector('[data-download=purchase-orders-csv]')?.href || '').includes(p), P);
  await page.click(`[data-po-open="${po}"]`);
  await page.waitForSelector(`[data-testid=po-detail][data-po="${po}"] [data-po-status=open]`);
  await page.fill(`input[name="po_qty_${P}"]`, '1');
  await page.click('[data-po-receive]');
  await page.waitForSelector('[data-testid=po-detail] [data-po-status=partly_received]');
  assert.match(await page.textContent('[data-testid=po-done]'), /部分到货/);
  await page.waitForSelector(`[data-testid=desk-orders] tbody [data-po-status=partly_received]`);
  assert.equal(await page.locator('[data-po-cancel]').count(), 0, 'a partly received order is not cancelled');
  await page.click('[data-po-receive-all]');
  await page.waitForSelector('[data-testid=po-detail] [data-po-status=received]');
  assert.equal(await page.locator('[data-testid=po-receipts] li').count(), 2);
  x = await server.api(`/api/v1/stock?part=${P}&warehouse=GZ-BR`, { token: wh });
  assert.deepEqual([x.json.items[0].on_hand, x.json.items[0].on_order], [4, 0]);
  x = await server.api(`/api/v1/stock-moves?part=${P}&kind=receipt`, { token: wh });
  assert.deepEqual(x.json.items.map((m) => [m.qty, m.to, m.reason]), [[3, 'GZ-BR', `purchase order ${po}`], [1, 'GZ-BR', `purchase order ${po}`]]);
  // another order, cancelled from its detail with a reason
  x = await api('/api/v1/purchase-orders', { warehouse: 'SH-PC', lines: [{ part: P, qty: 2 }] }, wh);
  assert.equal(x.status, 201, x.text);
  const po2 = x.json.code;
  await page.selectOption('select[name=orders_status]', 'open');
  await page.click(`[data-po-open="${po2}"]`);
  await page.waitForSelector(`[data-testid=po-detail][data-po="${po2}"] [data-po-status=open]`);
  await page.fill('input[name=po_cancel_reason]', '供应商缺货');
  await page.click('[data-po-cancel]');
  await page.waitForSelector('[data-testid=po-detail] [data-po-status=cancelled]');
  x = await server.api(`/api/v1/purchase-orders/${po2}`, { token: wh });
  assert.deepEqual([x.json.status, x.json.cancel_reason], ['cancelled', '供应商缺货']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('outlet staff see only their own stock room on the desk, and no ship or replenishment tabs', async () => {
  const { context, page, errors } = await staff('tech2', '#/parts');
  await page.waitForSelector('[data-testid=desk-stock]');
  assert.equal(await page.locator('button[data-tab=ship]').count(), 0);
  assert.equal(await page.locator('button[data-tab=replenish]').count(), 0);
  assert.equal(await page.locator('button[data-tab=orders]').count(), 0);
  await page.fill('input[name=stock_part]', PART);
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/stock?') && r.url().includes(PART)),
    page.press('input[name=stock_part]', 'Tab'),
  ]);
  await page.waitForTimeout(200);
  assert.equal(await page.locator('[data-testid=desk-stock] [data-warehouse]').count(), 0, "O0002 sees none of O0001's or the center's stock");
  assert.deepEqual(errors, []);
  await context.close();
});

test('the desk records a receipt and an adjustment by hand: a reason is required, too much is refused in words, a double click moves once', async () => {
  const MANUAL = `${PART}-M`;
  assert.equal((await api('/api/v1/parts', { number: MANUAL, description: `手工入库 ${MANUAL}`, price_fen: 1000, source: 'domestic' }, wh)).status, 201);
  const stock = async () => {
    const r = await api(`/api/v1/stock?part=${MANUAL}&warehouse=BJ-BR`, undefined, wh);
    return r.json.items[0] || { on_hand: 0, available: 0 };
  };
  const { context, page, errors } = await staff('warehouse', '#/parts/moves');
  const form = page.locator('[data-testid=move-form]');
  await form.waitFor();
  await form.locator('input[name=move_part]').fill(MANUAL);
  await form.locator('input[name=move_qty]').fill('7');
  await form.locator('input[name=move_to]').fill('BJ-BR');
  await form.locator('[data-move]').dblclick();
  await form.locator('[data-testid=move-done]').waitFor();
  assert.match(await form.locator('[data-testid=move-done]').innerText(), new RegExp(`入库.*${MANUAL}.*7`));
  await page.locator(`[data-testid=desk-moves] tr`, { hasText: MANUAL }).first().waitFor();
  assert.equal((await stock()).on_hand, 7, 'a double click received 7 once');
  // a late second click on the unchanged form is the same move again: answered as a replay
  const [again] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/stock-moves') && r.request().method() === 'POST'),
    form.locator('[data-move]').click(),
  ]);
  assert.equal(again.headers()['idempotent-replayed'], 'true');
  assert.equal((await stock()).on_hand, 7, 'the same form sent again received nothing more');
  // an adjustment down: without a reason it is refused before sending
  await form.locator('select[name=move_kind]').selectOption('adjust_down');
  await form.locator('input[name=move_from]').fill('BJ-BR');
  await form.locator('input[name=move_qty]').fill('9');
  await form.locator('[data-move]').click();
  await form.locator('text=调整需要填写原因').first().waitFor();
  // with a reason but more than is there: 409 in words, nothing moved
  await form.locator('input[name=move_reason]').fill('盘点差异');
  await form.locator('[data-move]').click();
  await form.locator('.alert, [role=alert]').first().waitFor();
  assert.equal((await stock()).on_hand, 7);
  await form.locator('input[name=move_qty]').fill('2');
  await form.locator('[data-move]').click();
  await form.locator('[data-testid=move-done]', { hasText: '盘亏' }).waitFor();
  assert.equal((await stock()).on_hand, 5);
  const moves = await api(`/api/v1/stock-moves?part=${MANUAL}`, undefined, wh);
  assert.deepEqual(moves.json.items.map((m) => `${m.kind} ${m.qty} ${m.reason || ''}`.trim()), ['adjustment 2 盘点差异', 'receipt 7']);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---- downloads: the XLSX header row equals the CSV's ----

const xlsxRow1 = (file) => xlsxHeader(file).map((c) => c.text);

async function download(page, selector, name) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const file = path.join(tmp, name);
  await dl.saveAs(file);
  return file;
}

test('desk downloads: stock and moves as CSV and XLSX, XLSX header = CSV header, the filters kept', async () => {
  const { context, page, errors } = await staff('warehouse', '#/parts', 'en-US');
  await page.waitForSelector('[data-testid=desk-stock]');
  assert.match(await page.textContent('button[data-tab=ship]'), /To ship/);
  await page.fill('input[name=stock_part]', PART);
  await page.press('input[name=stock_part]', 'Tab');
  await page.waitForFunction((p) => (document.querySelector('[data-download=stock-csv]')?.href || '').includes(p), PART);
  await page.waitForSelector('[data-testid=desk-stock] [data-warehouse="W-O0001"]');
  const shown = await page.locator('[data-testid=desk-stock] tbody tr').count();
  const csv = readFileSync(await download(page, '[data-download=stock-csv]', 'stock.csv'), 'utf8').replace(/^\uFEFF/, '');
  const rows = csv.trim().split(/\r\n/).map((l) => l.split(','));
  assert.deepEqual(rows[0], ['warehouse', 'part', 'on_hand', 'reserved', 'available', 'in_transit', 'on_order', 'reorder_point', 'reorder_qty']);
  assert.equal(rows.length - 1, shown, 'the CSV has the rows shown');
  assert.deepEqual(rows.slice(1).map((r) => r[0]).sort(), ['SH-PC', 'W-O0001']);
  assert.deepEqual(xlsxRow1(await download(page, '[data-download=stock-xlsx]', 'stock.xlsx')), rows[0]);
  // the ledger
  await page.click('button[data-tab=moves]');
  await page.fill('input[name=moves_part]', PART);
  await page.press('input[name=moves_part]', 'Tab');
  await page.waitForFunction((p) => (document.querySelector('[data-download=stock-moves-csv]')?.href || '').includes(p), PART);
  const mcsv = readFileSync(await download(page, '[data-download=stock-moves-csv]', 'moves.csv'), 'utf8').replace(/^\uFEFF/, '');
  const head = mcsv.split(/\r\n/)[0].split(',');
  assert.ok(head.includes('kind') && head.includes('part'), head.join());
  assert.deepEqual(xlsxRow1(await download(page, '[data-download=stock-moves-xlsx]', 'moves.xlsx')), head);
  assert.ok(mcsv.includes('transfer_ship') && mcsv.includes('issue'), 'the ledger has the ship and the issue');
  // in English every tab's own words are English (the data may be Chinese)
  for (const tab of ['stock', 'moves', 'ship', 'receive', 'returns', 'replenish', 'orders', 'late']) {
    await page.click(`button[data-tab=${tab}]`);
    await page.waitForSelector(`[data-testid=desk-${tab}] [data-downloads]`);
    const words = await page.$$eval('.page th, .page label, .page .field-hint, .page button, .page h1, .page .notice',
      (els) => els.map((e) => e.textContent).join(' '));
    assert.ok(!/[\u4e00-\u9fff]/.test(words), `${tab}: ${words}`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});
