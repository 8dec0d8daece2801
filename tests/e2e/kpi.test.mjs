// Browser test of the KPI dashboard over `aftersales demo` data: the headline numbers
// equal `aftersales kpi --json` for the period shown, the trend charts draw, the
// rankings and at-risk list render, and the XLSX download opens (unzip + sheet XML).
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
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await page.screenshot({ path: path.join(SHOTS, 'kpi-phone.png'), fullPage: true });
    await page.screenshot({ path: path.join(SHOTS, 'kpi-phone-top.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
