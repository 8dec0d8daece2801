// Browser test of the CSV and XLSX downloads on every list screen of the staff app
// (issue 9): for each screen a user allowed to see it clicks both downloads; the
// workbook (unzip + sheet XML) has a bold header row equal to the CSV's header row
// (UTF-8 with BOM, CRLF) and it names the record's identifying column; when the
// screen's rows fit on one page, the CSV holds exactly as many data rows.
// Headless Debian Chromium against `aftersales serve` with `aftersales demo` data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../api/lib/server.mjs';
import { xlsxHeader } from './lib/xlsx.mjs';
import { sql } from '../api/repairs-helpers.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];
const DESKTOP = { width: 1366, height: 768 };

let server, browser, tmp, appointment;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  // one booked appointment at O0001 tomorrow (Shanghai), the date its page opens on
  const token = await server.token('supervisor');
  const date = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10);
  let x = await server.api(`/api/v1/outlets/O0001/slots?date=${date}`, { token });
  assert.equal(x.status, 200, x.text);
  const tech = x.json.technicians.find((tc) => tc.slots.length);
  assert.ok(tech, 'O0001 has a free slot tomorrow');
  x = await server.api('/api/v1/appointments', { token, body: { technician: tech.code, starts_at: tech.slots[0].starts_at } });
  assert.equal(x.status, 201, x.text);
  appointment = x.json.code;
  // two outbox messages (no sender runs here: they stay queued)
  await sql(server, `INSERT INTO outbox (channel, recipient, template, payload, created_at) VALUES
    ('sms', '13955500001', 'repair_ready', '{"code":"R1"}', 1), ('email', 'a@example.com', 'campaign', '{}', 2)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'downloads-e2e-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(login, hash) {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: .* (401|404|422)/.test(m.text())) errors.push(m.text());
  });
  await page.goto(server.url + '/');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'demo1234');
  await page.click('form button[type=submit]');
  await page.waitForSelector('.topbar');
  await page.goto(server.url + '/' + hash);
  return { context, page, errors };
}

// Clicks a download link and keeps the file; returns its path.
async function download(page, selector, name) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const file = path.join(tmp, name);
  await dl.saveAs(file);
  return file;
}

// ---- CSV (RFC 4180) ----

function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// The CSV's rows after its BOM, checked for UTF-8 with BOM and CRLF line ends.
function readCsv(file) {
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${path.basename(file)} starts with a UTF-8 BOM`);
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes).slice(1);
  assert.ok(text.endsWith('\r\n'), 'the CSV ends with CRLF');
  assert.ok(!/(^|[^\r])\n/.test(text.replace(/"(?:[^"]|"")*"/g, '')), 'every line ends with CRLF');
  return parseCsv(text);
}


const colNumber = (letters) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

// Both downloads of a screen: the XLSX header row equals the CSV's, is bold and
// holds `id`; returns the CSV's data rows.
async function checkDownloads(page, name, id) {
  const csvFile = await download(page, `[data-download=${name}-csv]`, `${name}.csv`);
  const xlsxFile = await download(page, `[data-download=${name}-xlsx]`, `${name}.xlsx`);
  const [csvHeader, ...rows] = readCsv(csvFile);
  const cells = xlsxHeader(xlsxFile);
  assert.deepEqual(cells.map((c) => colNumber(c.ref)), cells.map((c, i) => i + 1), `${name}: header cells A1, B1, ... in order`);
  assert.deepEqual(cells.map((c) => c.text), csvHeader, `${name}: the XLSX header row is the CSV's`);
  assert.ok(csvHeader.includes(id), `${name}: the header has ${id} (${csvHeader.join(',')})`);
  for (const c of cells) assert.ok(c.bold, `${name}: header cell ${c.ref}1 (${c.text}) is bold`);
  for (const r of rows) assert.equal(r.length, csvHeader.length, `${name}: every CSV row has the header's width`);
  return rows;
}

// The rows a screen lists in the table that carries the downloads named `name`.
const tableRows = (page, name) => page.$$eval(`.table-block:has([data-downloads=${name}]) tbody tr`, (trs) => trs.length);
// Whether a list screen offers more than its first page.
const hasMore = (page, text = 'Load more') => page.locator(`button:has-text("${text}")`).count().then((n) => n > 0);

// Sets a filter and waits for the list's answer to it (`want` in its query).
async function filter(page, route, want, act) {
  await Promise.all([
    page.waitForResponse((r) => r.url().includes(route) && decodeURIComponent(r.url()).includes(want)),
    act(),
  ]);
  await page.waitForFunction((w) => [...document.querySelectorAll('[data-format=csv]')]
    .some((a) => decodeURIComponent(a.href).includes(w)), want);
}

// Each screen: who opens it, how it is brought to a list that fits on one page,
// how many rows it shows, the identifying column; `extra` rows the file has more
// than the screen (the KPI turnaround's total line).
const SCREENS = [
  { name: 'customers', login: 'agent', hash: '#/customers', id: 'code',
    prepare: async (page) => {
      await filter(page, '/api/v1/customers?', 'q=C0000001', () => page.fill('[data-testid=cust-search]', 'C0000001'));
      await page.waitForSelector('[data-downloads=customers]');
    },
    count: (page) => page.$$eval('[data-testid=cust-results] li, [data-testid=cust-matches] li', (li) => li.length) },
  { name: 'history', login: 'agent', hash: '#/customers/C00000047', id: 'code',
    prepare: (page) => page.waitForSelector('[data-downloads=history]'),
    count: (page) => page.$$eval('[data-testid=cust-history] li', (li) => li.length) },
  { name: 'units', login: 'agent', hash: '#/customers/C00000047', id: 'serial',
    prepare: (page) => page.waitForSelector('[data-downloads=units]'),
    count: (page) => page.$$eval('[data-testid=cust-units] li', (li) => li.length) },
  { name: 'repairs', login: 'supervisor', hash: '#/repairs', id: 'code',
    prepare: (page) => filter(page, '/api/v1/repairs?', 'customer=C00000047',
      () => page.fill('input[name=customer]', 'C00000047').then(() => page.press('input[name=customer]', 'Tab'))) },
  { name: 'outlets', login: 'supervisor', hash: '#/outlets', id: 'code',
    prepare: (page) => filter(page, '/api/v1/outlets?', 'region=310104',
      () => page.fill('input[name=region]', '310104').then(() => page.press('input[name=region]', 'Tab'))) },
  { name: 'technicians', login: 'supervisor', hash: '#/outlets/O0001', id: 'code',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=technicians]) tbody tr') },
  { name: 'appointments', login: 'agent', hash: '#/outlets/O0001', id: 'code',
    prepare: async (page) => {
      await page.waitForSelector(`[data-testid=appointments] td:has-text("${appointment}")`);
    } },
  { name: 'models', login: 'supervisor', hash: '#/products', id: 'code',
    prepare: async (page) => {
      await page.waitForSelector('select[name=product_line] option[value=VC]', { state: 'attached' });
      await filter(page, '/api/v1/models?', 'product_line=VC', () => page.selectOption('select[name=product_line]', 'VC'));
    } },
  { name: 'prices', login: 'supervisor', hash: '#/prices', id: 'labour_fen',
    prepare: async (page) => {
      await page.waitForSelector('select[name=product_line] option[value=TV]', { state: 'attached' });
      await filter(page, '/api/v1/prices?', 'product_line=TV', () => page.selectOption('select[name=product_line]', 'TV'));
      await filter(page, '/api/v1/prices?', 'level=B', () => page.selectOption('select[name=level]', 'B'));
    } },
  { name: 'price-caps', login: 'agent', hash: '#/prices', id: 'cap_fen',
    prepare: async (page) => {
      await page.waitForSelector('select[name=product_line] option[value=GAME]', { state: 'attached' });
      await page.click('button[data-tab=caps]');
      await filter(page, '/api/v1/price-caps?', 'product_line=GAME', () => page.selectOption('select[name=product_line]', 'GAME'));
    } },
  { name: 'monthly', login: 'supervisor', hash: '#/kpi', id: 'group', extra: 1,
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=monthly]) tbody tr') },
  { name: 'at-risk', login: 'supervisor', hash: '#/kpi', id: 'code',
    prepare: (page) => page.waitForSelector('[data-table=at-risk] tbody tr') },
  { name: 'complaints', login: 'agent', hash: '#/complaints', id: 'code',
    prepare: async (page) => {
      await page.waitForSelector('.table-block:has([data-downloads=complaints]) tbody tr');
      await filter(page, '/api/v1/complaints?', 'severity=critical', () => page.selectOption('select[name=severity]', 'critical'));
    } },
  { name: 'contacts', login: 'agent', hash: '#/contacts/log', id: 'code',
    prepare: async (page) => {
      await page.waitForSelector('.table-block:has([data-downloads=contacts]) tbody tr');
      await filter(page, '/api/v1/contacts?', 'channel=fax', () => page.selectOption('select[name=q-channel]', 'fax'));
    } },
  { name: 'callbacks', login: 'agent', hash: '#/contacts', id: 'code',
    prepare: (page) => page.waitForSelector('[data-test=callbacks] tbody tr'),
    count: (page) => page.$$eval('[data-test=callbacks] tbody tr', (trs) => trs.length) },
  { name: 'hotlines', login: 'supervisor', hash: '#/contacts/hotlines', id: 'number',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=hotlines]) tbody tr') },
  { name: 'calendars', login: 'admin', hash: '#/calendars', id: 'name',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=calendars]) tbody tr') },
  { name: 'coverage', login: 'supervisor', hash: '#/outlets/coverage', id: 'code',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=coverage]) tbody tr') },
  { name: 'stock', login: 'warehouse', hash: '#/parts', id: 'part',
    prepare: async (page) => {
      await page.waitForSelector('input[name=stock_warehouse]');
      await filter(page, '/api/v1/stock?', 'warehouse=W-O0001',
        () => page.fill('input[name=stock_warehouse]', 'W-O0001').then(() => page.press('input[name=stock_warehouse]', 'Tab')));
    } },
  { name: 'stock-moves', login: 'warehouse', hash: '#/parts/moves', id: 'kind',
    prepare: async (page) => {
      await page.waitForSelector('select[name=moves_kind]');
      await filter(page, '/api/v1/stock-moves?', 'kind=issue', () => page.selectOption('select[name=moves_kind]', 'issue'));
    } },
  { name: 'lines-to-ship', login: 'warehouse', hash: '#/parts/ship', id: 'code',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=lines-to-ship]) tbody tr') },
  { name: 'part-returns', login: 'warehouse', hash: '#/parts/returns', id: 'line',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=part-returns]) tbody tr') },
  { name: 'replenishment', login: 'warehouse', hash: '#/parts/replenish', id: 'part',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=replenishment]) tbody tr') },
  { name: 'purchase-orders', login: 'warehouse', hash: '#/parts/orders', id: 'code',
    prepare: async (page) => {
      await page.waitForSelector('.table-block:has([data-downloads=purchase-orders]) tbody tr');
      await filter(page, '/api/v1/purchase-orders?', 'status=open', () => page.selectOption('select[name=orders_status]', 'open'));
    } },
  { name: 'outbox', login: 'supervisor', hash: '#/outbox', id: 'message_id',
    prepare: async (page) => {
      await page.waitForSelector('.table-block:has([data-downloads=outbox]) tbody tr');
      await filter(page, '/api/v1/outbox?', 'channel=sms', () => page.selectOption('select[name=channel]', 'sms'));
    } },
  { name: 'orders', login: 'supervisor', hash: '#/orders', id: 'code',
    prepare: async (page) => {
      await page.waitForSelector('.table-block:has([data-downloads=orders]) tbody tr');
      await filter(page, '/api/v1/orders?', 'status=delivered', () => page.selectOption('select[name=status]', 'delivered'));
    } },
  { name: 'voc', login: 'supervisor', hash: '#/feedback', id: 'status',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=voc]) tbody tr') },
  { name: 'late-parts', login: 'warehouse', hash: '#/parts/late', id: 'promise_date',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=late-parts]) tbody tr') },
  { name: 'kb-articles', login: 'editor', hash: '#/kb', id: 'code',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=kb-articles]) tbody tr') },
  { name: 'kb-expiring', login: 'editor', hash: '#/kb', id: 'valid_to',
    prepare: async (page) => {
      await page.click('button[data-tab=expiring]');
      await page.waitForSelector('.table-block:has([data-downloads=kb-expiring]) tbody tr');
    } },
  { name: 'surveys', login: 'agent', hash: '#/surveys/all', id: 'code',
    prepare: async (page) => {
      await page.waitForSelector('.table-block:has([data-downloads=surveys]) tbody tr');
      await filter(page, '/api/v1/surveys?', 'kind=visit', () => page.selectOption('select[name=kind]', 'visit'));
    } },
  { name: 'survey-followups', login: 'supervisor', hash: '#/surveys/followups', id: 'survey',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=survey-followups]) tbody tr') },
  { name: 'survey-templates', login: 'agent', hash: '#/surveys/templates', id: 'code',
    prepare: (page) => page.waitForSelector('form[data-template]'),
    count: (page) => page.$$eval('form[data-template]', (f) => f.length) },
  { name: 'outlet-ranking', login: 'supervisor', hash: '#/ranking', id: 'outlet',
    prepare: (page) => page.waitForSelector('.table-block:has([data-downloads=outlet-ranking]) tbody tr') },
  { name: 'questionnaires', login: 'supervisor', hash: '#/research', id: 'code',
    prepare: async (page) => {
      const q = await server.api('/api/v1/questionnaires', { token: await server.token('marketer'), body: { title: { zh: '下载调研', en: 'Download research' },
        questions: [{ kind: 'text', text: { zh: '建议', en: 'Ideas' } }] } });
      assert.equal(q.status, 201, q.text);
      await page.reload();
      await page.waitForSelector('.table-block:has([data-downloads=questionnaires]) tbody tr');
    } },
];

for (const s of SCREENS) {
  test(`${s.name}: the XLSX header row equals the CSV's and the CSV has every row shown`, async () => {
    const { context, page, errors } = await open(s.login, s.hash);
    try {
      await s.prepare(page);
      // the list settles before it is counted (a search or filter answers after a pause)
      await page.waitForTimeout(300);
      const shown = await (s.count ? s.count(page) : tableRows(page, s.name));
      assert.ok(shown > 0, `${s.name}: the screen lists something`);
      const more = await hasMore(page);
      const rows = await checkDownloads(page, s.name, s.id);
      if (!more) assert.equal(rows.length, shown + (s.extra || 0), `${s.name}: the CSV has the ${shown} rows shown`);
      else assert.ok(rows.length > shown, `${s.name}: the CSV has more rows than the first page`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('the download links carry the screen\'s filters, never limit or cursor, in both languages', async () => {
  const { context, page, errors } = await open('supervisor', '#/repairs');
  try {
    await page.click('[data-status-filter=received]');
    await page.waitForFunction(() => (document.querySelector('[data-download=repairs-xlsx]')?.href || '').includes('status=received'));
    const hrefs = await page.$$eval('[data-downloads=repairs] a', (as) => as.map((a) => new URL(a.href)));
    for (const [i, fmt] of ['csv', 'xlsx'].entries()) {
      const u = new URL(hrefs[i]);
      assert.equal(u.pathname, '/api/v1/repairs');
      assert.equal(u.searchParams.get('format'), fmt);
      assert.equal(u.searchParams.get('status'), 'received');
      assert.equal(u.searchParams.get('limit'), null);
      assert.equal(u.searchParams.get('cursor'), null);
    }
    assert.deepEqual(await page.$$eval('[data-downloads=repairs] a', (as) => as.map((a) => a.textContent.trim())),
      ['Download CSV', 'Download Excel']);
    await page.click('button[data-lang=zh-CN]');
    assert.deepEqual(await page.$$eval('[data-downloads=repairs] a', (as) => as.map((a) => a.textContent.trim())),
      ['下载 CSV', '下载 Excel']);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
