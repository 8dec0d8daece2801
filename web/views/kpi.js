// The KPI dashboard (M5, M7, M10, M15): the headline numbers against their targets
// (turnaround, RR90, first response to complaints within 24 h; the parts fill rate and
// lead time, for which SPEC sets no target), monthly trends (chart.js), outlets ranked
// by 4-day rate, RR90, complaint response and fill rate, the same KPIs per province and
// product line, the open repairs about to cross 4 or 14 days, filters, and CSV/XLSX
// downloads of every table (made by the server from the same numbers).
import { useState, useEffect, useRef } from 'preact/hooks';
import { Chart, LineController, BarController, LineElement, BarElement, PointElement,
  LinearScale, CategoryScale, Legend, Tooltip, Filler } from 'chart.js';
import * as api from '../api.js';
import { html, Page, ErrorBanner, Loading, Table, Field, DownloadLinks } from '../ui.js';
import { t, registerMessages, byLang, formatDateTime, onLangChange } from '../i18n.js';
import './repairs.js'; // the repair status names (rs.*)

Chart.register(LineController, BarController, LineElement, BarElement, PointElement,
  LinearScale, CategoryScale, Legend, Tooltip, Filler);

registerMessages(byLang({
  'kpi.title': ['KPI 看板', 'KPI dashboard'],
  'kpi.period': ['期间', 'Period'],
  'kpi.from': ['起始日', 'From'],
  'kpi.to': ['截止日(不含)', 'To (exclusive)'],
  'kpi.preset.month': ['本月', 'This month'],
  'kpi.preset.quarter': ['近 3 个月', 'Last 3 months'],
  'kpi.preset.year': ['近 12 个月', 'Last 12 months'],
  'kpi.outlet': ['网点', 'Outlet'],
  'kpi.region': ['省份', 'Province'],
  'kpi.product_line': ['产品线', 'Product line'],
  'kpi.all': ['全部', 'All'],
  'kpi.apply': ['查询', 'Show'],
  'kpi.rate_4d': ['4 天修复率', 'Repaired within 4 days'],
  'kpi.rate_4d.target': ['目标 ≥ 95%', 'target ≥ 95%'],
  'kpi.over_14d': ['超 14 天修复 (R140)', 'Repairs over 14 days (R140)'],
  'kpi.over_14d.target': ['目标 0', 'target 0'],
  'kpi.open_over_14d': ['期末仍未修复且超 14 天: {n}', 'Still open over 14 days at the end: {n}'],
  'kpi.rate_rr90': ['90 天返修率 (RR90)', 'Back within 90 days (RR90)'],
  'kpi.rate_rr90.target': ['目标 < 1%', 'target < 1%'],
  'kpi.completed': ['完成修复 {n} 台', '{n} repairs completed'],
  'kpi.with_serial': ['有序列号 {n} 台中返修 {rr} 台', '{rr} of {n} with a serial came back'],
  'kpi.met': ['达标', 'on target'],
  'kpi.missed': ['未达标', 'off target'],
  'kpi.none': ['无数据', 'no data'],
  'kpi.trend': ['月度趋势', 'Monthly trend'],
  'kpi.trend.rate': ['4 天修复率与 RR90', '4-day rate and RR90'],
  'kpi.trend.over': ['超 14 天修复数', 'Repairs over 14 days'],
  'kpi.target': ['目标', 'target'],
  'kpi.monthly': ['按月', 'By month'],
  'kpi.byregion': ['按省份', 'By province'],
  'kpi.byline': ['按产品线', 'By product line'],
  'kpi.ranking': ['网点排名', 'Outlet ranking'],
  'kpi.ranking.by4d': ['按 4 天修复率', 'by 4-day rate'],
  'kpi.ranking.byrr90': ['按 RR90', 'by RR90'],
  'kpi.ranking.all': ['显示全部 {n} 个网点', 'Show all {n} outlets'],
  'kpi.ranking.top': ['只显示前 {n} 名', 'Show the top {n} only'],
  'kpi.atrisk': ['即将超时的在修工单', 'Open repairs about to run late'],
  'kpi.atrisk.14d': ['将超 14 天', 'crossing 14 days'],
  'kpi.atrisk.4d': ['将超 4 天', 'crossing 4 days'],
  'kpi.atrisk.over': ['已超过 {th} 仍在修: {n}', 'Open and past {th} already: {n}'],
  'kpi.col.rank': ['名次', 'Rank'],
  'kpi.col.group': ['分组', 'Group'],
  'kpi.col.name': ['名称', 'Name'],
  'kpi.col.month': ['月份', 'Month'],
  'kpi.col.completed': ['完成', 'Completed'],
  'kpi.col.rate_4d': ['4 天率', '4-day rate'],
  'kpi.col.over_14d': ['超 14 天', 'Over 14 d'],
  'kpi.col.open_over_14d': ['在修超 14 天', 'Open > 14 d'],
  'kpi.col.rr90': ['返修', 'Returns'],
  'kpi.col.rate_rr90': ['RR90', 'RR90'],
  'kpi.col.code': ['工单', 'Repair'],
  'kpi.col.outlet': ['网点', 'Outlet'],
  'kpi.col.status': ['状态', 'Status'],
  'kpi.col.received': ['接收时间', 'Received'],
  'kpi.col.crosses': ['超时时间', 'Crosses at'],
  'kpi.col.hours_left': ['剩余小时', 'Hours left'],
  'kpi.col.part': ['配件', 'Part'],
  'kpi.complaint_response_24h': ['投诉 24 小时响应率', 'Complaints answered within 24 h'],
  'kpi.complaint_response_24h.target': ['目标 ≥ 98%', 'target ≥ 98%'],
  'kpi.complaints': ['期间收到投诉 {n} 件', '{n} complaints received'],
  'kpi.fill_rate': ['配件满足率(国内库存)', 'Parts fill rate (domestic stock)'],
  'kpi.fill_rate.sub': ['新建配件需求 {n} 行', '{n} part request lines created'],
  'kpi.parts_lead_time_h': ['配件到货时长(中位数)', 'Parts lead time (median)'],
  'kpi.parts_lead_time_h.sub': ['期间到货 {n} 行', '{n} lines received'],
  'kpi.notarget': ['未设目标', 'no target set'],
  'kpi.dispatch_satisfaction': ['上门服务满意度', 'On-site dispatch satisfaction'],
  'kpi.dispatch_satisfaction.target': ['目标 ≥ 99%', 'target ≥ 99%'],
  'kpi.dispatch_satisfaction.sub': ['回访 {n} 次，回复率 {rr}；全部回访满意占比 {all}', '{n} surveyed, response rate {rr}; satisfied share of all surveys {all}'],
  'kpi.ranking.bysat': ['按上门服务满意度', 'by on-site dispatch satisfaction'],
  'kpi.ranking.full': ['网点综合排名', 'full outlet ranking'],
  'kpi.col.dispatch_satisfaction': ['上门满意度', 'Dispatch satisfaction'],
  'kpi.col.dispatch_response_rate': ['回访回复率', 'Survey response rate'],
  'kpi.hours': ['{h} 小时', '{h} h'],
  'kpi.trend.more': ['投诉响应率、配件满足率与到货时长', 'Complaint response, fill rate and parts lead time'],
  'kpi.ranking.bycomplaint': ['按投诉 24 小时响应率', 'by complaint response within 24 h'],
  'kpi.ranking.byfill': ['按配件满足率', 'by parts fill rate'],
  'kpi.col.complaints': ['投诉', 'Complaints'],
  'kpi.col.complaint_response_24h': ['24 小时响应率', 'Answered in 24 h'],
  'kpi.col.part_lines': ['配件行', 'Part lines'],
  'kpi.col.fill_rate': ['满足率', 'Fill rate'],
  'kpi.col.parts_lead_time_h': ['到货时长', 'Lead time'],
  'kpi.zone': ['时区 {zone};期间按当地零点划分', 'Time zone {zone}; periods start at local midnight'],
}));

const STYLE = `
.kpi-filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;margin-bottom:16px}
.kpi-filters .field{margin:0;min-width:130px}
.kpi-presets{display:flex;gap:6px;flex-wrap:wrap}
.kpi-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px;margin-bottom:20px}
.kpi-card{background:var(--surface);border:1px solid var(--border);border-radius:var(--radius);padding:14px 16px;border-top:4px solid var(--border-strong)}
.kpi-card.ok{border-top-color:#2e7d32}.kpi-card.bad{border-top-color:var(--danger)}
.kpi-card h2{font-size:14px;font-weight:600;margin:0 0 6px;color:var(--muted)}
.kpi-value{font-size:30px;font-weight:700;line-height:1.2}
.kpi-card .kpi-badge{display:inline-block;font-size:12px;padding:1px 8px;border-radius:10px;margin-left:8px;vertical-align:middle}
.kpi-card.ok .kpi-badge{background:#e6f4ea;color:#1e6b2a}.kpi-card.bad .kpi-badge{background:var(--danger-soft);color:var(--danger)}
.kpi-sub{font-size:13px;color:var(--muted);margin-top:4px}
.kpi-charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:12px;margin-bottom:20px}
.kpi-chart{background:var(--surface);border:1px solid var(--border);border-radius:var(--radius);padding:12px;height:280px;position:relative}
.kpi-chart h3{font-size:14px;margin:0 0 6px}
.kpi-chart .kpi-canvas{position:relative;height:230px}
.kpi-two{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:12px;margin-top:8px}
.kpi-two>div{min-width:0}
.kpi-two h3{font-size:14px;margin:4px 0}
.kpi-note{font-size:12px;color:var(--muted);margin:4px 0 12px}
.kpi-miss{color:var(--danger);font-weight:600}
`;
if (typeof document !== 'undefined' && !document.getElementById('kpi-style')) {
  const el = document.createElement('style');
  el.id = 'kpi-style';
  el.textContent = STYLE;
  document.head.appendChild(el);
}

// ---- dates (local dates of Asia/Shanghai, the server's default zone) ----

function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}
function monthStart(d, back = 0) {
  let [y, m] = d.split('-').map(Number);
  m -= back;
  while (m < 1) { m += 12; y -= 1; }
  return `${y}-${String(m).padStart(2, '0')}-01`;
}
function nextMonth(d) {
  let [y, m] = d.split('-').map(Number);
  m += 1;
  if (m > 12) { m = 1; y += 1; }
  return `${y}-${String(m).padStart(2, '0')}-01`;
}
function presetRange(kind) {
  const d = today();
  const to = nextMonth(d);
  if (kind === 'month') return { from: monthStart(d), to };
  if (kind === 'quarter') return { from: monthStart(d, 2), to };
  return { from: monthStart(d, 11), to };
}

const pct = (v, digits = 1) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`);
const hours = (v) => (v === null || v === undefined ? '—' : t('kpi.hours', { h: v.toFixed(1) }));
const TARGET_COMPLAINT = 0.98; // SPEC M10; the server sends it as targets.complaint_response_24h
const TARGET_DISPATCH = 0.99; // SPEC M11; the server sends it as targets.dispatch_satisfaction

// The filters that are set, as query parameters.
function params(f, extra) {
  const q = { from: f.from, to: f.to, outlet: f.outlet, region: f.region, product_line: f.product_line, ...extra };
  const out = {};
  for (const [k, v] of Object.entries(q)) if (v) out[k] = v;
  return out;
}

function query(f, extra) {
  return new URLSearchParams(params(f, extra)).toString();
}

// A table's downloads, also marked data-kpi-dl="<name>-csv" / "-xlsx".
function Downloads({ path, q, name }) {
  return html`<${DownloadLinks} path=${'/kpi/' + path} params=${q} name=${name} attr="data-kpi-dl" />`;
}

// ---- headline cards ----

// ok: true / false against the target, null when there is nothing to count; undefined
// for a KPI without a target (no badge unless there is no data).
function Card({ id, title, value, ok, target, sub }) {
  const cls = ok === null || ok === undefined ? '' : ok ? 'ok' : 'bad';
  const badge = ok === null ? t('kpi.none') : ok === undefined ? null : ok ? t('kpi.met') : t('kpi.missed');
  return html`<div class=${'kpi-card ' + cls} data-kpi=${id}>
    <h2>${title}</h2>
    <div><span class="kpi-value">${value}</span>
      ${badge ? html`<span class="kpi-badge">${badge}</span>` : null}</div>
    <div class="kpi-sub">${target}</div>
    ${sub ? html`<div class="kpi-sub">${sub}</div>` : null}
  </div>`;
}

function Headlines({ total, targets }) {
  const r4 = total.rate_4d, rr = total.rate_rr90, cr = total.complaint_response_24h;
  const crTarget = targets?.complaint_response_24h ?? TARGET_COMPLAINT;
  return html`<div class="kpi-cards">
    <${Card} id="rate_4d" title=${t('kpi.rate_4d')} value=${pct(r4)} ok=${r4 === null ? null : r4 >= 0.95}
      target=${t('kpi.rate_4d.target')} sub=${t('kpi.completed', { n: total.completed })} />
    <${Card} id="over_14d" title=${t('kpi.over_14d')}
      value=${`${total.over_14d}`} ok=${total.completed === 0 && total.open_over_14d === 0 ? null : total.over_14d === 0}
      target=${`${t('kpi.over_14d.target')} · ${pct(total.rate_over_14d, 2)}`}
      sub=${t('kpi.open_over_14d', { n: total.open_over_14d })} />
    <${Card} id="rate_rr90" title=${t('kpi.rate_rr90')} value=${pct(rr, 2)} ok=${rr === null ? null : rr < 0.01}
      target=${t('kpi.rate_rr90.target')} sub=${t('kpi.with_serial', { n: total.with_serial, rr: total.rr90 })} />
    <${Card} id="complaint_response_24h" title=${t('kpi.complaint_response_24h')} value=${pct(cr, 1)}
      ok=${cr === null ? null : cr >= crTarget} target=${t('kpi.complaint_response_24h.target')}
      sub=${t('kpi.complaints', { n: total.complaints })} />
    <${Card} id="dispatch_satisfaction" title=${t('kpi.dispatch_satisfaction')} value=${pct(total.dispatch_satisfaction, 1)}
      ok=${total.dispatch_satisfaction == null ? null : total.dispatch_satisfaction >= (targets?.dispatch_satisfaction ?? TARGET_DISPATCH)}
      target=${t('kpi.dispatch_satisfaction.target')}
      sub=${t('kpi.dispatch_satisfaction.sub', { n: total.dispatch_surveys ?? 0, rr: pct(total.dispatch_response_rate, 1), all: pct(total.survey_satisfied_share, 1) })} />
    <${Card} id="fill_rate" title=${t('kpi.fill_rate')} value=${pct(total.fill_rate, 1)}
      ok=${total.fill_rate === null ? null : undefined} target=${t('kpi.notarget')}
      sub=${t('kpi.fill_rate.sub', { n: total.part_lines })} />
    <${Card} id="parts_lead_time_h" title=${t('kpi.parts_lead_time_h')} value=${hours(total.parts_lead_time_h)}
      ok=${total.parts_lead_time_h === null ? null : undefined} target=${t('kpi.notarget')}
      sub=${t('kpi.parts_lead_time_h.sub', { n: total.part_lines_received })} />
  </div>`;
}

// ---- charts ----

function ChartBox({ id, title, config }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = new Chart(ref.current, config);
    return () => chart.destroy();
  }, [config]);
  return html`<div class="kpi-chart" data-chart=${id}><h3>${title}</h3>
    <div class="kpi-canvas"><canvas ref=${ref} role="img" aria-label=${title}></canvas></div></div>`;
}

function Trends({ groups }) {
  const labels = groups.map((g) => g.key);
  const asPct = (v) => (v === null ? null : +(v * 100).toFixed(2));
  const rateConfig = {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t('kpi.rate_4d'), data: groups.map((g) => asPct(g.rate_4d)), borderColor: '#1d5fbf', backgroundColor: '#1d5fbf', yAxisID: 'y', spanGaps: true },
        { label: `${t('kpi.target')} 95%`, data: labels.map(() => 95), borderColor: '#2e7d32', borderDash: [6, 4], pointRadius: 0, yAxisID: 'y' },
        { label: t('kpi.col.rate_rr90'), data: groups.map((g) => asPct(g.rate_rr90)), borderColor: '#c62828', backgroundColor: '#c62828', yAxisID: 'y2', spanGaps: true },
      ],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        y: { min: 0, max: 100, title: { display: true, text: '4d %' } },
        y2: { position: 'right', min: 0, grid: { drawOnChartArea: false }, title: { display: true, text: 'RR90 %' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
  const overConfig = {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: t('kpi.col.over_14d'), data: groups.map((g) => g.over_14d), backgroundColor: '#e6a23c' },
        { label: t('kpi.col.open_over_14d'), data: groups.map((g) => g.open_over_14d), backgroundColor: '#909399' },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
  const moreConfig = {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: t('kpi.col.complaint_response_24h'), data: groups.map((g) => asPct(g.complaint_response_24h)), borderColor: '#7b1fa2', backgroundColor: '#7b1fa2', yAxisID: 'y', spanGaps: true },
        { label: `${t('kpi.target')} 98%`, data: labels.map(() => 98), borderColor: '#2e7d32', borderDash: [6, 4], pointRadius: 0, yAxisID: 'y' },
        { label: t('kpi.col.fill_rate'), data: groups.map((g) => asPct(g.fill_rate)), borderColor: '#00838f', backgroundColor: '#00838f', yAxisID: 'y', spanGaps: true },
        { label: t('kpi.col.dispatch_satisfaction'), data: groups.map((g) => asPct(g.dispatch_satisfaction)), borderColor: '#ef6c00', backgroundColor: '#ef6c00', yAxisID: 'y', spanGaps: true },
        { type: 'bar', label: t('kpi.col.parts_lead_time_h'), data: groups.map((g) => g.parts_lead_time_h), backgroundColor: 'rgba(230,162,60,0.45)', yAxisID: 'y2' },
      ],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        y: { min: 0, max: 100, title: { display: true, text: '%' } },
        y2: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'h' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  };
  return html`<div class="kpi-charts">
    <${ChartBox} id="rate" title=${t('kpi.trend.rate')} config=${rateConfig} />
    <${ChartBox} id="over" title=${t('kpi.trend.over')} config=${overConfig} />
    <${ChartBox} id="more" title=${t('kpi.trend.more')} config=${moreConfig} />
  </div>`;
}

// ---- the view ----

const countCols = () => [
  { key: 'completed', label: t('kpi.col.completed'), align: 'right' },
  { key: 'rate_4d', label: t('kpi.col.rate_4d'), align: 'right', render: (r) => pct(r.rate_4d) },
  { key: 'over_14d', label: t('kpi.col.over_14d'), align: 'right' },
  { key: 'open_over_14d', label: t('kpi.col.open_over_14d'), align: 'right' },
  { key: 'rr90', label: t('kpi.col.rr90'), align: 'right' },
  { key: 'rate_rr90', label: t('kpi.col.rate_rr90'), align: 'right', render: (r) => pct(r.rate_rr90, 2) },
];

// The parts and complaint KPIs of a group; the complaint rate is marked when it misses 98%.
const moreCols = () => [
  { key: 'dispatch_satisfaction', label: t('kpi.col.dispatch_satisfaction'), align: 'right',
    render: (r) => (r.dispatch_satisfaction != null && r.dispatch_satisfaction < TARGET_DISPATCH
      ? html`<span class="kpi-miss" data-target="missed">${pct(r.dispatch_satisfaction)}</span>` : pct(r.dispatch_satisfaction)) },
  { key: 'dispatch_response_rate', label: t('kpi.col.dispatch_response_rate'), align: 'right', render: (r) => pct(r.dispatch_response_rate) },
  { key: 'complaints', label: t('kpi.col.complaints'), align: 'right' },
  { key: 'complaint_response_24h', label: t('kpi.col.complaint_response_24h'), align: 'right',
    render: (r) => (r.complaint_response_24h !== null && r.complaint_response_24h < TARGET_COMPLAINT
      ? html`<span class="kpi-miss" data-target="missed">${pct(r.complaint_response_24h)}</span>` : pct(r.complaint_response_24h)) },
  { key: 'part_lines', label: t('kpi.col.part_lines'), align: 'right' },
  { key: 'fill_rate', label: t('kpi.col.fill_rate'), align: 'right', render: (r) => pct(r.fill_rate) },
  { key: 'parts_lead_time_h', label: t('kpi.col.parts_lead_time_h'), align: 'right', render: (r) => hours(r.parts_lead_time_h) },
];
const moreOf = (keys) => moreCols().filter((c) => keys.includes(c.key));
const MORE3 = ['complaint_response_24h', 'fill_rate', 'parts_lead_time_h'];

const TOP = 10;

// weight: the count a group's rate is taken over (completed repairs unless given)
function rank(groups, key, better, all, weight = 'completed') {
  const ranked = groups.filter((g) => g[key] !== null && g[weight] > 0)
    .sort((a, b) => better(a[key], b[key]) || b[weight] - a[weight])
    .map((g, i) => ({ ...g, rank: i + 1 }));
  return all ? ranked : ranked.slice(0, TOP);
}

export default function KpiView({ user }) {
  const staff = user && (user.role === 'outlet_manager' || user.role === 'technician');
  const [filters, setFilters] = useState(() => ({ ...presetRange('year'), outlet: '', region: '', product_line: '' }));
  const [form, setForm] = useState(filters);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [threshold, setThreshold] = useState('14d');
  const [risk, setRisk] = useState(null);
  const [opts, setOpts] = useState({ outlets: [], regions: [], lines: [] });
  const [, setLangTick] = useState(0);
  const [allRanks, setAllRanks] = useState(false);

  useEffect(() => onLangChange(() => setLangTick((n) => n + 1)), []);

  useEffect(() => {
    // filter choices; each list is optional (a missing one leaves a free text field)
    const load = async (p, query) => { try { return (await api.get(p, { query })).items || []; } catch { return []; } };
    (async () => {
      const [outlets, regions, lines] = await Promise.all([
        staff ? [] : load('/outlets', { limit: 500 }),
        staff ? [] : load('/regions', { level: 1, limit: 100 }),
        load('/product-lines', { limit: 200 }),
      ]);
      setOpts({ outlets, regions, lines });
    })();
  }, [staff]);

  useEffect(() => {
    let live = true;
    setError(null);
    setData(null);
    const q = query(filters);
    Promise.all([
      api.get(`/kpi/turnaround?${q}&group_by=month`),
      api.get(`/kpi/turnaround?${q}&group_by=outlet`),
      api.get(`/kpi/turnaround?${q}&group_by=region`),
      api.get(`/kpi/turnaround?${q}&group_by=product_line`),
    ]).then(([monthly, outlets, regions, lines]) => { if (live) setData({ monthly, outlets, regions, lines }); },
      (e) => { if (live) setError(e); });
    return () => { live = false; };
  }, [filters]);

  useEffect(() => {
    let live = true;
    setRisk(null);
    const q = query({ outlet: filters.outlet, region: filters.region, product_line: filters.product_line }, { threshold });
    api.get(`/kpi/at-risk?${q}`).then((r) => { if (live) setRisk(r); }, (e) => { if (live) setError(e); });
    return () => { live = false; };
  }, [filters.outlet, filters.region, filters.product_line, threshold]);

  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const apply = (e) => { e.preventDefault(); setFilters({ ...form }); };
  const preset = (kind) => { const f = { ...form, ...presetRange(kind) }; setForm(f); setFilters(f); };
  const fq = params(filters);
  const select = (name, label, list, value) => html`
    <${Field} label=${label} name=${name} as="select" value=${value} onChange=${set(name)}
      options=${[{ value: '', label: t('kpi.all') }, ...list]} />`;

  return html`<${Page} title=${t('kpi.title')}>
    <form class="kpi-filters" onSubmit=${apply} aria-label=${t('kpi.period')}>
      <${Field} label=${t('kpi.from')} name="from" type="date" value=${form.from} onInput=${set('from')} required />
      <${Field} label=${t('kpi.to')} name="to" type="date" value=${form.to} onInput=${set('to')} required />
      ${staff ? null : opts.outlets.length
        ? select('outlet', t('kpi.outlet'), opts.outlets.map((o) => ({ value: o.code, label: `${o.code} ${o.name}` })), form.outlet)
        : html`<${Field} label=${t('kpi.outlet')} name="outlet" value=${form.outlet} onInput=${set('outlet')} />`}
      ${staff ? null : opts.regions.length
        ? select('region', t('kpi.region'), opts.regions.map((r) => ({ value: r.code, label: r.name })), form.region)
        : html`<${Field} label=${t('kpi.region')} name="region" value=${form.region} onInput=${set('region')} />`}
      ${opts.lines.length
        ? select('product_line', t('kpi.product_line'), opts.lines.map((l) => ({ value: l.code, label: l.name || l.code })), form.product_line)
        : html`<${Field} label=${t('kpi.product_line')} name="product_line" value=${form.product_line} onInput=${set('product_line')} />`}
      <button class="btn btn-primary" type="submit">${t('kpi.apply')}</button>
      <span class="kpi-presets">
        <button type="button" class="btn btn-ghost" onClick=${() => preset('month')}>${t('kpi.preset.month')}</button>
        <button type="button" class="btn btn-ghost" onClick=${() => preset('quarter')}>${t('kpi.preset.quarter')}</button>
        <button type="button" class="btn btn-ghost" onClick=${() => preset('year')}>${t('kpi.preset.year')}</button>
      </span>
    </form>
    ${error ? html`<${ErrorBanner} error=${error} onRetry=${() => setFilters({ ...filters })} />` : null}
    ${!data && !error ? html`<${Loading} />` : null}
    ${data ? html`
      <p class="kpi-note">${t('kpi.zone', { zone: data.monthly.time_zone })} · ${data.monthly.from} – ${data.monthly.to}</p>
      <${Headlines} total=${data.monthly.total} targets=${data.monthly.targets} />
      <h2 class="section-title">${t('kpi.trend')}</h2>
      <${Trends} groups=${data.monthly.groups} />
      <h2 class="section-title">${t('kpi.monthly')}</h2>
      <div data-table="monthly"><${Table} rowKey="key" rows=${data.monthly.groups}
        toolbar=${html`<${Downloads} path="turnaround" q=${{ ...fq, group_by: 'month' }} name="monthly" />`}
        columns=${[{ key: 'key', label: t('kpi.col.month') }, ...countCols(), ...moreOf(MORE3)]} /></div>
      <h2 class="section-title">${t('kpi.ranking')}</h2>
      <div class="kpi-presets"><${Downloads} path="turnaround" q=${{ ...fq, group_by: 'outlet' }} name="outlets" />
        ${data.outlets.groups.length > TOP ? html`<button type="button" class="btn btn-ghost" data-kpi-more
          onClick=${() => setAllRanks(!allRanks)}>${allRanks ? t('kpi.ranking.top', { n: TOP }) : t('kpi.ranking.all', { n: data.outlets.groups.length })}</button>` : null}</div>
      <div class="kpi-two">
        <div data-ranking="rate_4d"><h3>${t('kpi.ranking.by4d')}</h3>
          <${Table} rowKey="key" rows=${rank(data.outlets.groups, 'rate_4d', (a, b) => b - a, allRanks)}
            columns=${[{ key: 'rank', label: t('kpi.col.rank'), align: 'right' }, { key: 'key', label: t('kpi.col.outlet') },
              { key: 'name', label: t('kpi.col.name') }, ...countCols().filter((c) => ['completed', 'rate_4d'].includes(c.key))]} /></div>
        <div data-ranking="rate_rr90"><h3>${t('kpi.ranking.byrr90')}</h3>
          <${Table} rowKey="key" rows=${rank(data.outlets.groups, 'rate_rr90', (a, b) => a - b, allRanks)}
            columns=${[{ key: 'rank', label: t('kpi.col.rank'), align: 'right' }, { key: 'key', label: t('kpi.col.outlet') },
              { key: 'name', label: t('kpi.col.name') }, ...countCols().filter((c) => ['completed', 'rate_rr90'].includes(c.key))]} /></div>
      </div>
      <div class="kpi-two">
        <div data-ranking="complaint_response_24h"><h3>${t('kpi.ranking.bycomplaint')}</h3>
          <${Table} rowKey="key" rows=${rank(data.outlets.groups, 'complaint_response_24h', (a, b) => b - a, allRanks, 'complaints')}
            columns=${[{ key: 'rank', label: t('kpi.col.rank'), align: 'right' }, { key: 'key', label: t('kpi.col.outlet') },
              { key: 'name', label: t('kpi.col.name') }, ...moreOf(['complaints', 'complaint_response_24h'])]} /></div>
        <div data-ranking="fill_rate"><h3>${t('kpi.ranking.byfill')}</h3>
          <${Table} rowKey="key" rows=${rank(data.outlets.groups, 'fill_rate', (a, b) => b - a, allRanks, 'part_lines')}
            columns=${[{ key: 'rank', label: t('kpi.col.rank'), align: 'right' }, { key: 'key', label: t('kpi.col.outlet') },
              { key: 'name', label: t('kpi.col.name') }, ...moreOf(['part_lines', 'fill_rate', 'parts_lead_time_h'])]} /></div>
      </div>
      <div class="kpi-two">
        <div data-ranking="dispatch_satisfaction"><h3>${t('kpi.ranking.bysat')} · <a href="#/ranking">${t('kpi.ranking.full')}</a></h3>
          <${Table} rowKey="key" rows=${rank(data.outlets.groups, 'dispatch_satisfaction', (a, b) => b - a, allRanks, 'dispatch_answers')}
            columns=${[{ key: 'rank', label: t('kpi.col.rank'), align: 'right' }, { key: 'key', label: t('kpi.col.outlet') },
              { key: 'name', label: t('kpi.col.name') }, ...moreOf(['dispatch_satisfaction', 'dispatch_response_rate'])]} /></div>
      </div>` : null}
    ${data ? html`
      <div>
        <div data-table="by-region"><h2 class="section-title">${t('kpi.byregion')}</h2>
          <${Table} rowKey="key" rows=${data.regions.groups}
            toolbar=${html`<${Downloads} path="turnaround" q=${{ ...fq, group_by: 'region' }} name="regions" />`}
            columns=${[{ key: 'name', label: t('kpi.region'), render: (r) => r.name || r.key || '—' }, ...countCols().filter((c) => ['completed', 'rate_4d', 'over_14d', 'rate_rr90'].includes(c.key)), ...moreOf(MORE3)]} /></div>
        <div data-table="by-line"><h2 class="section-title">${t('kpi.byline')}</h2>
          <${Table} rowKey="key" rows=${data.lines.groups}
            toolbar=${html`<${Downloads} path="turnaround" q=${{ ...fq, group_by: 'product_line' }} name="lines" />`}
            columns=${[{ key: 'name', label: t('kpi.product_line'), render: (r) => r.name || r.key || '—' }, ...countCols().filter((c) => ['completed', 'rate_4d', 'over_14d', 'rate_rr90'].includes(c.key)), ...moreOf(MORE3)]} /></div>
      </div>` : null}
    <h2 class="section-title">${t('kpi.atrisk')}</h2>
    <div class="kpi-presets" role="group">
      <button type="button" class=${'btn ' + (threshold === '14d' ? 'btn-primary' : 'btn-secondary')} aria-pressed=${threshold === '14d'} onClick=${() => setThreshold('14d')}>${t('kpi.atrisk.14d')}</button>
      <button type="button" class=${'btn ' + (threshold === '4d' ? 'btn-primary' : 'btn-secondary')} aria-pressed=${threshold === '4d'} onClick=${() => setThreshold('4d')}>${t('kpi.atrisk.4d')}</button>
    </div>
    ${risk ? html`
      <p class="kpi-note" data-kpi="already_over">${t('kpi.atrisk.over', { th: threshold === '4d' ? '4d' : '14d', n: risk.already_over })}</p>
      <div data-table="at-risk"><${Table} rows=${risk.items}
        toolbar=${html`<${Downloads} path="at-risk" q=${params({ outlet: filters.outlet, region: filters.region, product_line: filters.product_line }, { threshold })} name="at-risk" />`}
        columns=${[
          { key: 'code', label: t('kpi.col.code'), render: (r) => html`<a href=${'#/repairs/' + encodeURIComponent(r.code)}>${r.code}</a>` },
          { key: 'outlet', label: t('kpi.col.outlet'), render: (r) => `${r.outlet ?? ''} ${r.outlet_name ?? ''}` },
          { key: 'status', label: t('kpi.col.status'), render: (r) => t('rs.' + r.status) },
          { key: 'received_at', label: t('kpi.col.received'), render: (r) => formatDateTime(r.received_at) },
          { key: 'crosses_at', label: t('kpi.col.crosses'), render: (r) => formatDateTime(r.crosses_at) },
          { key: 'hours_left', label: t('kpi.col.hours_left'), align: 'right' },
          { key: 'part', label: t('kpi.col.part'), render: (r) => r.part ?? '—' },
        ]} /></div>` : html`<${Loading} />`}
  </${Page}>`;
}
