// The outlet ranking (M11): every outlet on the four axes (repair quality, parts
// supply, contact quality, service cost) scored 0-100 and the weighted total, over a
// period, with its downloads; the weights (edited by admins); and one outlet's monthly
// trend as a chart (chart.js). The formula is in docs/ranking.md. Hash route: #/ranking
import { useState, useEffect, useRef } from 'preact/hooks';
import { Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip } from 'chart.js';
import * as api from '../api.js';
import { t, registerMessages, byLang } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Table, fieldErrors, useStyle } from '../ui.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const AXES = ['quality', 'parts', 'contact', 'cost'];

registerMessages(byLang({
  'rk.title': ['网点综合排名', 'Outlet ranking'],
  'rk.from': ['开始日期', 'From'],
  'rk.to': ['截止日期（不含）', 'To (exclusive)'],
  'rk.show': ['查看', 'Show'],
  'rk.rank': ['名次', 'Rank'],
  'rk.outlet': ['网点', 'Outlet'],
  'rk.name': ['名称', 'Name'],
  'rk.total': ['总分', 'Total'],
  'rk.ax.quality': ['维修质量', 'Repair quality'],
  'rk.ax.parts': ['配件供应', 'Parts supply'],
  'rk.ax.contact': ['客户接触质量', 'Contact quality'],
  'rk.ax.cost': ['服务成本', 'Service cost'],
  'rk.ax.quality.how': ['4 天修复率与（1 − 90 天返修率）的平均', 'mean of the 4-day rate and 1 − RR90'],
  'rk.ax.parts.how': ['配件满足率（国内库存）', 'parts fill rate (domestic stock)'],
  'rk.ax.contact.how': ['回访满意占比与投诉 24 小时响应率的平均', 'mean of the satisfied share of surveys and complaints answered in 24 h'],
  'rk.ax.cost.how': ['最低保修单次成本 ÷ 本网点保修单次成本', 'lowest warranty cost per repair ÷ this outlet\u2019s'],
  'rk.weights': ['权重', 'Weights'],
  'rk.weights.hint': ['总分 = 各项得分按权重加权平均（只计有数据的项目），各项 0-100 分。', 'Total = the axes\u2019 scores (0-100) averaged with these weights, over the axes an outlet has data for.'],
  'rk.save': ['保存权重', 'Save weights'],
  'rk.saved': ['权重已保存', 'Weights saved'],
  'rk.trend': ['{outlet} 近 12 个月走势', '{outlet}: the last 12 months'],
  'rk.trend.pick': ['点击表格中的网点查看其走势。', 'Click an outlet in the table to see its trend.'],
}));

const CSS = `
.rk-panel{background:#fff;border:1px solid var(--border);border-radius:var(--radius);padding:16px;margin-bottom:16px}
.rk-panel h2{margin-top:0;font-size:16px}
.rk-row{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:flex-end}
.rk-row .field{margin:0;min-width:140px}
.rk-chart{position:relative;height:280px}
`;

const score = (v) => (v === null || v === undefined ? '—' : v.toFixed(1));
const year = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4);
const tomorrow = () => new Date(Date.now() + 32 * 3600e3).toISOString().slice(0, 10);

function Weights({ weights, admin, onSaved }) {
  const [v, setV] = useState(weights);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setV(weights), [weights]);
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const body = {};
      for (const a of AXES) body[a] = Number(v[a]);
      await api.put('/kpi/ranking/weights', body);
      setSaved(true);
      onSaved();
    } catch (err) { setError(err); }
  };
  return html`<form class="rk-panel" onSubmit=${save} data-form="weights">
    <h2>${t('rk.weights')}</h2>
    <p>${t('rk.weights.hint')}</p>
    <${ErrorBanner} error=${error} />
    ${saved ? html`<${Notice} tone="success">${t('rk.saved')}</${Notice}>` : null}
    <div class="rk-row">${AXES.map((a) => html`<${Field} label=${t('rk.ax.' + a)} name=${'w-' + a} type="number" min="0" max="100"
      value=${v[a]} disabled=${!admin} hint=${t('rk.ax.' + a + '.how')} error=${fieldErrors(error)[a]}
      onInput=${(e) => { setV({ ...v, [a]: e.target.value }); setSaved(false); }} />`)}
      ${admin ? html`<${Button} type="submit">${t('rk.save')}</${Button}>` : null}</div>
  </form>`;
}

function Trend({ outlet, version }) {
  const ref = useRef(null);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setData(null);
    api.get('/kpi/ranking/trend', { query: { outlet, months: 12 } }).then(setData, setError);
  }, [outlet, version]);
  useEffect(() => {
    if (!data || !ref.current) return undefined;
    const colors = { total: '#1d5fbf', quality: '#2e7d32', parts: '#00838f', contact: '#ef6c00', cost: '#7b1fa2' };
    const chart = new Chart(ref.current, {
      type: 'line',
      data: {
        labels: data.items.map((m) => m.month),
        datasets: ['total', ...AXES].map((k) => ({ label: k === 'total' ? t('rk.total') : t('rk.ax.' + k),
          data: data.items.map((m) => m[k]), borderColor: colors[k], backgroundColor: colors[k], spanGaps: true,
          borderWidth: k === 'total' ? 3 : 1.5 })),
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        scales: { y: { min: 0, max: 100 } }, plugins: { legend: { position: 'bottom' } } },
    });
    return () => chart.destroy();
  }, [data]);
  return html`<div class="rk-panel" data-trend=${outlet}>
    <h2>${t('rk.trend', { outlet })}</h2>
    <${ErrorBanner} error=${error} />
    ${data ? html`<div class="rk-chart"><canvas ref=${ref} role="img" aria-label=${t('rk.trend', { outlet })}></canvas></div>` : html`<${Loading} />`}
  </div>`;
}

export default function Ranking({ user }) {
  useStyle('ranking', CSS);
  const [form, setForm] = useState({ from: `${year()}-01-01`, to: tomorrow() });
  const [period, setPeriod] = useState(form);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [outlet, setOutlet] = useState(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    setError(null);
    api.get('/kpi/ranking', { query: period }).then((d) => { setData(d); if (!outlet && d.items[0]) setOutlet(d.items[0].outlet); }, setError);
  }, [period, version]);
  const cols = [
    { key: 'rank', label: t('rk.rank'), align: 'right' },
    { key: 'outlet', label: t('rk.outlet'), render: (r) => html`<a href="#/ranking" data-outlet=${r.outlet}
      onClick=${(e) => { e.preventDefault(); setOutlet(r.outlet); }}>${r.outlet}</a>` },
    { key: 'name', label: t('rk.name') },
    ...AXES.map((a) => ({ key: a, label: t('rk.ax.' + a), align: 'right', render: (r) => score(r[a]) })),
    { key: 'total', label: t('rk.total'), align: 'right', render: (r) => html`<strong>${score(r.total)}</strong>` },
  ];
  return html`<${Page} title=${t('rk.title')}>
    <form class="rk-panel rk-row" onSubmit=${(e) => { e.preventDefault(); setPeriod(form); }}>
      <${Field} label=${t('rk.from')} name="from" type="date" value=${form.from} onInput=${(e) => setForm({ ...form, from: e.target.value })} />
      <${Field} label=${t('rk.to')} name="to" type="date" value=${form.to} onInput=${(e) => setForm({ ...form, to: e.target.value })} />
      <${Button} type="submit">${t('rk.show')}</${Button}>
    </form>
    <${ErrorBanner} error=${error} />
    ${data ? html`
      <${Weights} weights=${data.weights} admin=${user.role === 'admin'} onSaved=${() => setVersion(version + 1)} />
      <div data-table="ranking"><${Table} rowKey="outlet" columns=${cols} rows=${data.items}
        downloads=${{ path: '/kpi/ranking', params: period, name: 'outlet-ranking' }} /></div>
      ${outlet ? html`<${Trend} outlet=${outlet} version=${version} />` : html`<p>${t('rk.trend.pick')}</p>`}` : error ? null : html`<${Loading} />`}
  </${Page}>`;
}
