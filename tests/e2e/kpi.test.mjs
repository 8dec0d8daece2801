// Browser test of the KPI dashboard over `aftersales demo` data (plus a few complaints,
// answered in time, late and not at all): the headline numbers equal
// `aftersales kpi --json` for the period shown, the trend charts draw, the rankings and
// at-risk list render, the parts and complaint KPIs show per month, outlet, province
// and product line as the CLI counts them, and the XLSX download opens (unzip + sheet XML).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../api/lib/server.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];
const SHOTS = process.env.E2E_SCREENSHOTS || os.tmpdir();
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

let server, browser, tmp;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  server = await startServer();
  const r = await server.run(['demo']);
  assert.equal(r.code, 0, r.stderr);
  await addComplaints();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kpi-e2e-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// The dashboard's default period: the last 12 months up to the end of this month, in
// Shanghai dates.
function defaultPeriod() {
  const d = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  let [y, m] = d.split('-').map(Number);
  const pad = (n) => String(n).padStart(2, '0');
  const to = m === 12 ? `${y + 1}-01-01` : `${y}-${pad(m + 1)}-01`;
  m -= 11;
  if (m < 1) { m += 12; y -= 1; }
  return { from: `${y}-${pad(m)}-01`, to };
}

async function openDashboard({ viewport = DESKTOP, locale = 'en-US', mobile = false, login = 'supervisor' } = {}) {
  const context = await browser.newContext({ viewport, locale, isMobile: mobile, hasTouch: mobile, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: .* 401/.test(m.text())) errors.push(m.text());
  });
  await page.goto(server.url + '/');
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'demo1234');
  await page.click('form button[type=submit]');
  await page.waitForSelector('.sidebar, .topbar');
  await page.goto(server.url + '/#/kpi');
  await page.waitForSelector('[data-kpi=rate_4d]');
  await page.waitForSelector('[data-table=at-risk], [data-kpi=already_over]');
  return { context, page, errors };
}

const pct = (v, d) => (v === null ? '—' : `${(v * 100).toFixed(d)}%`);
const hrs = (v, unit = 'h') => (v === null ? '—' : `${v.toFixed(1)} ${unit}`);

// Complaints on demo repairs of several outlets: received 2 h ago and answered (in
// time), 30 h ago and answered now (late), 26 h ago and never answered (a miss).
async function addComplaints() {
  const agent = await server.token('agent');
  const reps = await server.api('/api/v1/repairs?limit=200', { token: agent });
  assert.equal(reps.status, 200, reps.text);
  const seen = new Set(), picked = [];
  for (const x of reps.json.items) {
    const o = x.outlet?.code ?? x.outlet;
    if (o && !seen.has(o)) { seen.add(o); picked.push([x.code, x.customer?.code ?? x.customer]); }
    if (picked.length === 6) break;
  }
  assert.ok(picked.length >= 3, 'demo repairs at several outlets');
  const iso = (hAgo) => new Date(Date.now() - hAgo * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  for (const [i, [repair, customer]] of picked.entries()) {
    const [ago, answer] = [[2, true], [30, true], [26, false]][i % 3];
    const c = await server.api('/api/v1/complaints', { token: agent,
      body: { customer, repair, channel: 'phone', text: '维修太慢', received_at: iso(ago) } });
    assert.equal(c.status, 201, c.text);
    if (answer) {
      const a = await server.api(`/api/v1/complaints/${c.json.code}/responses`, { token: agent, body: { text: '已处理' } });
      assert.equal(a.status, 201, a.text);
    }
  }
}

// A table's rows as arrays of cell texts, and its header texts.
const cells = (page, sel) => page.$$eval(`${sel} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
const heads = (page, sel) => page.$$eval(`${sel} thead th`, (ths) => ths.map((th) => th.textContent.trim()));

test('the dashboard shows the demo numbers, charts, rankings and the at-risk list', async () => {
  const { from, to } = defaultPeriod();
  const r = await server.run(['kpi', '--from', from, '--to', to, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const k = JSON.parse(r.stdout);
  assert.ok(k.completed > 0, 'the demo data has completed repairs in the last 12 months');

  const { context, page, errors } = await openDashboard();
  try {
    const value = (id) => page.$eval(`[data-kpi=${id}] .kpi-value`, (e) => e.textContent.trim());
    assert.equal(await value('rate_4d'), pct(k.rate_4d, 1));
    assert.equal(await value('over_14d'), String(k.over_14d));
    assert.equal(await value('rate_rr90'), pct(k.rate_rr90, 2));
    const sub = await page.$eval('[data-kpi=rate_4d]', (e) => e.textContent);
    assert.match(sub, new RegExp(`${k.completed} repairs completed`));

    // both charts drew something: their canvases are not blank
    for (const id of ['rate', 'over']) {
      const inked = await page.$eval(`[data-chart=${id}] canvas`, (c) => {
        const ctx = c.getContext('2d');
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return { n, w: c.width, h: c.height };
      });
      assert.ok(inked.w > 100 && inked.h > 100, `${id} chart has a size`);
      assert.ok(inked.n > 1000, `${id} chart is drawn (${inked.n} inked pixels)`);
    }

    await page.screenshot({ path: path.join(SHOTS, 'kpi-desktop-top.png') });
    // per province and product line, as the API counts them
    const byRegion = JSON.parse((await server.run(['kpi', '--from', from, '--to', to, '--group-by', 'region', '--json'])).stdout).groups;
    const regionRows = await page.$$eval('[data-table=by-region] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    assert.equal(regionRows.length, byRegion.length);
    assert.deepEqual(regionRows.map((r) => Number(r[1])), byRegion.map((g) => g.completed));
    const lineRows = await page.$$eval('[data-table=by-line] tbody tr', (trs) => trs.length);
    assert.ok(lineRows >= 1);

    // ranking by 4-day rate: best first, rates as the API has them
    const api = await server.run(['kpi', '--from', from, '--to', to, '--group-by', 'outlet', '--json']);
    const groups = JSON.parse(api.stdout).groups.filter((g) => g.completed > 0 && g.rate_4d !== null);
    const best = [...groups].sort((a, b) => b.rate_4d - a.rate_4d || b.completed - a.completed)[0];
    const firstRow = await page.$$eval('[data-ranking=rate_4d] tbody tr:first-child td', (tds) => tds.map((td) => td.textContent.trim()));
    assert.equal(firstRow[0], '1');
    assert.equal(firstRow[1], best.key);
    assert.equal(firstRow[4], pct(best.rate_4d, 1));
    let rows = await page.$$eval('[data-ranking=rate_rr90] tbody tr', (trs) => trs.length);
    const rrRanked = groups.filter((g) => g.rate_rr90 !== null).length;
    assert.equal(rows, Math.min(10, rrRanked));
    if (groups.length > 10) {
      await page.click('[data-kpi-more]');
      rows = await page.$$eval('[data-ranking=rate_rr90] tbody tr', (trs) => trs.length);
      assert.equal(rows, rrRanked);
      await page.click('[data-kpi-more]');
    }

    // the monthly table has one row per month of the period
    const months = await page.$$eval('.table-block tbody', (b) => b[0].querySelectorAll('tr').length);
    assert.equal(months, 12);
    assert.match(await page.textContent('[data-kpi=already_over]'), /Open and past 14d already: \d+/);

    await page.screenshot({ path: path.join(SHOTS, 'kpi-desktop.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the parts and complaint KPIs: cards against targets, per month, outlet, province and product line', async () => {
  const { from, to } = defaultPeriod();
  const cli = async (by) => JSON.parse((await server.run(['kpi', '--from', from, '--to', to, ...(by ? ['--group-by', by] : []), '--json'])).stdout);
  const k = await cli(null);
  assert.ok(k.complaint_response_24h > 0 && k.complaint_response_24h < 0.98, `some complaints late: ${k.complaint_response_24h}`);
  assert.ok(k.fill_rate !== null && k.parts_lead_time_h !== null, 'the demo has part lines created and received');
  const { context, page, errors } = await openDashboard();
  try {
    const value = (id) => page.$eval(`[data-kpi=${id}] .kpi-value`, (e) => e.textContent.trim());
    assert.equal(await value('complaint_response_24h'), pct(k.complaint_response_24h, 1));
    assert.match(await page.getAttribute('[data-kpi=complaint_response_24h]', 'class'), /\bbad\b/, 'below the 98% target');
    assert.match(await page.textContent('[data-kpi=complaint_response_24h]'), /target ≥ 98%/);
    assert.equal(await value('fill_rate'), pct(k.fill_rate, 1));
    assert.equal(await value('parts_lead_time_h'), hrs(k.parts_lead_time_h));
    assert.match(await page.textContent('[data-kpi=fill_rate]'), /no target set/);

    // the third chart draws
    const inked = await page.$eval('[data-chart=more] canvas', (c) => {
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    });
    assert.ok(inked > 1000, `the parts and complaints chart is drawn (${inked})`);

    // a table's three new columns, as the CLI has them per group
    const three = (g) => [pct(g.complaint_response_24h, 1), pct(g.fill_rate, 1), hrs(g.parts_lead_time_h)];
    const check = async (sel, groups) => {
      const h = await heads(page, sel);
      const at = ['Answered in 24 h', 'Fill rate', 'Lead time'].map((x) => h.indexOf(x));
      assert.ok(at.every((i) => i > 0), `${sel}: ${h.join('|')}`);
      const rows = await cells(page, sel);
      assert.equal(rows.length, groups.length, sel);
      rows.forEach((r, i) => assert.deepEqual(at.map((j) => r[j]), three(groups[i]), `${sel} row ${i}`));
    };
    const monthly = await cli('month');
    await check('[data-table=monthly]', monthly.groups);
    assert.ok(monthly.groups.at(-1).complaints > 0, 'this month has the complaints');
    await check('[data-table=by-region]', (await cli('region')).groups);
    await check('[data-table=by-line]', (await cli('product_line')).groups);
    // a rate below 98% is marked in the tables
    assert.ok(await page.$('[data-table=by-region] [data-target=missed]'), 'a missed target is marked');

    // outlets ranked by complaint response and by fill rate, best first
    const outlets = (await cli('outlet')).groups;
    const best = (key, w) => [...outlets.filter((g) => g[key] !== null && g[w] > 0)].sort((a, b) => b[key] - a[key] || b[w] - a[w]);
    const byC = best('complaint_response_24h', 'complaints');
    let rows = await cells(page, '[data-ranking=complaint_response_24h]');
    assert.equal(rows.length, Math.min(10, byC.length));
    assert.deepEqual(rows.map((r) => r[1]), byC.slice(0, 10).map((g) => g.key));
    assert.deepEqual([rows[0][3], rows[0][4]], [String(byC[0].complaints), pct(byC[0].complaint_response_24h, 1)]);
    const byF = best('fill_rate', 'part_lines');
    rows = await cells(page, '[data-ranking=fill_rate]');
    assert.equal(rows.length, Math.min(10, byF.length));
    assert.deepEqual(rows[0].slice(1), [byF[0].key, byF[0].name, String(byF[0].part_lines), pct(byF[0].fill_rate, 1), hrs(byF[0].parts_lead_time_h)]);
    await page.screenshot({ path: path.join(SHOTS, 'kpi-desktop-more.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the XLSX download opens as a workbook with the same numbers', async () => {
  const { from, to } = defaultPeriod();
  const k = JSON.parse((await server.run(['kpi', '--from', from, '--to', to, '--json'])).stdout);
  const { context, page, errors } = await openDashboard();
  try {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-kpi-dl=monthly-xlsx]')]);
    assert.equal(dl.suggestedFilename(), `kpi-turnaround-${from}-${to}-by-month.xlsx`);
    const f = path.join(tmp, 'monthly.xlsx');
    await dl.saveAs(f);
    const list = execFileSync('unzip', ['-l', f]).toString();
    assert.match(list, /xl\/worksheets\/sheet1\.xml/);
    const sheet = execFileSync('unzip', ['-p', f, 'xl/worksheets/sheet1.xml']).toString();
    const strings = execFileSync('unzip', ['-p', f, 'xl/sharedStrings.xml']).toString();
    for (const h of ['group', 'completed', 'rate_4d', 'rate_rr90', 'total']) assert.ok(strings.includes(`>${h}<`), h);
    // 12 months + header: the total is row 14; completed is column C
    const c14 = /<c r="C14"[^>]*><v>([^<]+)<\/v>/.exec(sheet);
    assert.ok(c14, 'C14 holds the total completed');
    assert.equal(Number(c14[1]), k.completed);
    const e14 = /<c r="E14"[^>]*><v>([^<]+)<\/v>/.exec(sheet);
    assert.ok(Math.abs(Number(e14[1]) - k.rate_4d) < 1e-9, 'E14 holds the 4-day rate');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-kpi-dl=at-risk-csv]')]);
    assert.equal(csv.suggestedFilename(), 'kpi-at-risk-14d.csv');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('phone layout and outlet staff: their own outlet only, in Chinese', async () => {
  const { context, page, errors } = await openDashboard({ viewport: PHONE, mobile: true, locale: 'zh-CN', login: 'manager' });
  try {
    assert.equal(await page.$('select[name=outlet]'), null, 'no outlet filter for outlet staff');
    const ranked = await page.$$eval('[data-ranking=rate_4d] tbody tr', (trs) => trs.length);
    assert.ok(ranked <= 1, 'one outlet at most');
    assert.match(await page.textContent('[data-kpi=rate_4d] h2'), /4 天修复率/);
    assert.match(await page.textContent('[data-kpi=complaint_response_24h] h2'), /投诉 24 小时响应率/);
    assert.match(await page.textContent('[data-kpi=complaint_response_24h]'), /目标 ≥ 98%/);
    assert.match(await page.textContent('[data-kpi=parts_lead_time_h] h2'), /配件到货时长/);
    assert.ok((await heads(page, '[data-table=by-line]')).includes('24 小时响应率'));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await page.screenshot({ path: path.join(SHOTS, 'kpi-phone.png'), fullPage: true });
    await page.screenshot({ path: path.join(SHOTS, 'kpi-phone-top.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
