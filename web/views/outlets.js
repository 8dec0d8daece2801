// Service network (M6): outlets list with filters, create and edit an outlet,
// its technicians, the routing suggestion for a repair, and county coverage
// with a chart per province. Hash routes:
//   #/outlets              list            #/outlets/new       create
//   #/outlets/coverage     coverage        #/outlets/routing   routing suggestion
//   #/outlets/CODE         one outlet (edit, technicians)
import { useState, useEffect, useRef, useCallback } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, getLang } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Table, fieldErrors } from '../ui.js';
import { PagedTable } from '../lib/lists.js';

registerMessages(byLang({
  'net.title': ['服务网点', 'Service network'],
  'net.tab.list': ['网点', 'Outlets'],
  'net.tab.new': ['新建网点', 'New outlet'],
  'net.tab.coverage': ['覆盖率', 'Coverage'],
  'net.tab.routing': ['派修建议', 'Routing'],
  'net.code': ['网点代码', 'Outlet code'],
  'net.name': ['名称', 'Name'],
  'net.type': ['类型', 'Type'],
  'net.grade': ['等级', 'Grade'],
  'net.region': ['所在区县代码', 'County code'],
  'net.region_name': ['所在地', 'Location'],
  'net.capacity': ['在修容量', 'Capacity'],
  'net.active': ['启用', 'Active'],
  'net.in_service': ['服务中', 'In service'],
  'net.covers': ['覆盖区域代码', 'Covers (region codes)'],
  'net.covers_hint': ['区县、地市或省份的六位代码，空格分隔；地市/省份覆盖其下全部区县', 'six-digit county, city or province codes, space-separated; a city or province covers all its counties'],
  'net.lines': ['授权产品线', 'Authorised product lines'],
  'net.lines_hint': ['产品线代码，空格分隔，如 TV AV PC', 'product line codes, space-separated, e.g. TV AV PC'],
  'net.address': ['地址', 'Address'],
  'net.phone': ['电话', 'Phone'],
  'net.suspended_from': ['暂停自', 'Suspended from'],
  'net.suspended_until': ['恢复日', 'Back on'],
  'net.contract_start': ['合同开始', 'Contract start'],
  'net.contract_end': ['合同结束', 'Contract end'],
  'net.hours': ['营业时间', 'Opening hours'],
  'net.hours_none': ['未设置，无法预约上门', 'not set: no on-site booking possible'],
  'net.hours_all': ['每天 {opens}-{closes}（全年 365 天服务）', 'Every day {opens}-{closes} (365-day service)'],
  'net.save': ['保存', 'Save'],
  'net.saved': ['已保存', 'Saved'],
  'net.create': ['创建网点', 'Create outlet'],
  'net.created': ['网点 {code} 已创建', 'Outlet {code} created'],
  'net.search': ['搜索名称或代码', 'Search name or code'],
  'net.all_types': ['全部类型', 'All types'],
  'net.filter_region': ['地区代码', 'Region code'],
  'net.yes': ['是', 'yes'],
  'net.no': ['否', 'no'],
  'net.type.service_center': ['技术服务中心', 'Technical service center'],
  'net.type.authorised': ['授权维修站', 'Authorised station'],
  'net.type.designated': ['特约维修站', 'Designated station'],
  'net.type.certified': ['认证专修店', 'Certified shop'],
  'net.type.agent': ['签约服务代理', 'Contracted agent'],
  'net.techs': ['技术员', 'Technicians'],
  'net.tech_name': ['姓名', 'Name'],
  'net.tech_skills': ['技能', 'Skills'],
  'net.tech_records': ['证书与培训', 'Certifications and training'],
  'net.tech_add': ['添加技术员', 'Add technician'],
  'net.expired': ['已过期', 'expired'],
  'net.cov.country': ['全国县级行政区覆盖率', 'County-level coverage, whole country'],
  'net.cov.covered': ['已覆盖', 'Covered'],
  'net.cov.total': ['县级区域总数', 'County-level regions'],
  'net.cov.rate': ['覆盖率', 'Rate'],
  'net.cov.uncovered': ['未覆盖区县', 'Uncovered counties'],
  'net.cov.province': ['省份', 'Province'],
  'net.cov.city': ['城市', 'City'],
  'net.cov.region_code': ['区划代码', 'Region code'],
  'net.cov.chart_city': ['各市覆盖率', 'Coverage per city'],
  'net.cov.scope': ['范围（省或市代码，留空为全国）', 'Scope (province or city code; empty: country)'],
  'net.cov.show': ['查看', 'Show'],
  'net.cov.chart': ['各省覆盖率', 'Coverage per province'],
  'net.route.region': ['客户所在区县代码', "Customer's county code"],
  'net.route.line': ['产品线代码', 'Product line code'],
  'net.route.go': ['建议网点', 'Suggest outlet'],
  'net.route.chosen': ['建议网点：{code}', 'Suggested outlet: {code}'],
  'net.route.none': ['没有符合条件的网点', 'No outlet qualifies'],
  'net.route.why': ['选择理由：在营、覆盖该区县并获 {line} 授权；负荷 {open}/{cap}（{pct}）、等级 {grade}、{dist}；共 {n} 个候选网点', 'Chosen because it is active, covers the county and is authorised for {line}; load {open}/{cap} ({pct}), grade {grade}, {dist}; {n} candidate(s)'],
  'net.route.load': ['负荷', 'Load'],
  'net.route.distance': ['距离', 'Distance'],
  'net.route.score': ['评分', 'Score'],
  'net.slots': ['上门预约', 'On-site appointments'],
  'net.slots_date': ['日期', 'Date'],
  'net.slots_closed': ['当天不营业', 'Closed that day'],
  'net.slots_none': ['没有空闲时段', 'No free slot'],
  'net.booked': ['已预约 {code}：{tech} {time}', 'Booked {code}: {tech} {time}'],
  'net.appts': ['当天的预约', 'Appointments that day'],
  'net.appts_none': ['当天还没有预约', 'No appointment that day yet'],
  'net.appt.code': ['预约号', 'Appointment'],
  'net.appt.technician': ['技术员', 'Technician'],
  'net.appt.time': ['时间', 'Time'],
  'net.appt.repair': ['维修单号', 'Repair'],
  'net.appt.cancelled': ['已取消', 'Cancelled'],
  'net.appt.completed': ['上门完成', 'Visit done'],
  'net.appt.complete': ['标记完成', 'Mark done'],
  'net.dist.county': ['同区县', 'same county'],
  'net.dist.city': ['同城市', 'same city'],
  'net.dist.province': ['同省', 'same province'],
  'net.dist.elsewhere': ['外省', 'other province'],
}));

const TYPES = ['service_center', 'authorised', 'designated', 'certified', 'agent'];
const ADMIN = ['admin', 'supervisor'];
const pct = (r) => (r === null || r === undefined ? '–' : `${(r * 100).toFixed(1)}%`);
const grid = 'display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:0 16px';

function Tabs({ user, current }) {
  const tabs = [['', 'net.tab.list']];
  if (ADMIN.includes(user.role)) tabs.push(['new', 'net.tab.new'], ['coverage', 'net.tab.coverage']);
  if ([...ADMIN, 'agent'].includes(user.role)) tabs.push(['routing', 'net.tab.routing']);
  return html`<nav class="table-toolbar" aria-label=${t('net.title')} style="gap:8px;flex-wrap:wrap;justify-content:flex-start">
    ${tabs.map(([p, k]) => html`<a key=${p} href=${'#/outlets' + (p ? '/' + p : '')}
      class=${'btn ' + (current === p ? 'btn-primary' : 'btn-secondary')}
      aria-current=${current === p ? 'page' : undefined}>${t(k)}</a>`)}
  </nav>`;
}

// ---- list ----

function OutletList({ user }) {
  const [filter, setFilter] = useState({ q: '', type: '', region: '' });
  const params = {};
  for (const k of ['q', 'type', 'region']) if (filter[k]) params[k] = filter[k];
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.currentTarget.value });
  const columns = [
    { key: 'code', label: t('net.code'), render: (o) => html`<a href=${'#/outlets/' + encodeURIComponent(o.code)}>${o.code}</a>` },
    { key: 'name', label: t('net.name') },
    { key: 'type', label: t('net.type'), render: (o) => t('net.type.' + o.type) },
    { key: 'grade', label: t('net.grade') },
    { key: 'region_name', label: t('net.region_name') },
    { key: 'capacity', label: t('net.capacity'), align: 'right' },
    { key: 'covers_count', label: t('net.covers'), align: 'right' },
    { key: 'in_service', label: t('net.in_service'), render: (o) => (o.in_service ? t('net.yes') : t('net.no')) },
  ];
  return html`
    <div style=${grid}>
      <${Field} label=${t('net.search')} name="q" value=${filter.q} onChange=${set('q')} />
      <${Field} label=${t('net.type')} name="type" as="select" value=${filter.type} onChange=${set('type')}
        options=${[{ value: '', label: t('net.all_types') }, ...TYPES.map((v) => ({ value: v, label: t('net.type.' + v) }))]} />
      <${Field} label=${t('net.filter_region')} name="region" value=${filter.region} onChange=${set('region')} inputmode="numeric" />
    </div>
    <${PagedTable} path="/outlets" params=${params} limit=${100} columns=${columns} name="outlets" />`;
}

// ---- create / edit ----

const splitList = (s) => s.split(/[\s,，]+/).filter(Boolean);

function OutletForm({ outlet, onSaved }) {
  const creating = !outlet;
  const [f, setF] = useState(() => ({
    code: '', name: '', type: 'designated', grade: '', region: '', capacity: '20', address: '', phone: '',
    covers: '', product_lines: '', active: true, suspended_from: '', suspended_until: '', contract_start: '', contract_end: '',
    ...(outlet ? { ...outlet, grade: outlet.grade || '', capacity: String(outlet.capacity), covers: outlet.covers.join(' '),
      product_lines: outlet.product_lines.join(' '), address: outlet.address || '', phone: outlet.phone || '',
      suspended_from: outlet.suspended_from || '', suspended_until: outlet.suspended_until || '',
      contract_start: outlet.contract_start || '', contract_end: outlet.contract_end || '' } : {}),
  }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const errs = fieldErrors(error);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  async function submit(e) {
    e.preventDefault();
    setBusy(true); setError(null); setDone('');
    const body = { name: f.name, type: f.type, grade: f.grade || null, region: f.region,
      capacity: /^\d+$/.test(f.capacity) ? Number(f.capacity) : f.capacity, address: f.address || null, phone: f.phone || null,
      covers: splitList(f.covers), product_lines: splitList(f.product_lines), active: f.active };
    for (const k of ['suspended_from', 'suspended_until', 'contract_start', 'contract_end']) body[k] = f[k] || null;
    try {
      const saved = creating
        ? await api.post('/outlets', { code: f.code, ...body })
        : await api.patch('/outlets/' + encodeURIComponent(outlet.code), { ...body, version: outlet.version });
      setDone(creating ? t('net.created', { code: saved.code }) : t('net.saved'));
      onSaved(saved);
    } catch (err) { setError(err); } finally { setBusy(false); }
  }
  const fld = (k, label, extra = {}) => html`<${Field} label=${label} name=${k} value=${f[k]} onInput=${set(k)} error=${errs[k]} ...${extra} />`;
  return html`<form onSubmit=${submit} noValidate>
    <${ErrorBanner} error=${error} />
    ${done ? html`<${Notice}>${done}</${Notice}>` : null}
    <div style=${grid}>
      ${creating ? fld('code', t('net.code'), { required: true, autocomplete: 'off' }) : null}
      ${fld('name', t('net.name'), { required: true })}
      <${Field} label=${t('net.type')} name="type" as="select" value=${f.type} onChange=${set('type')} error=${errs.type}
        options=${TYPES.map((v) => ({ value: v, label: t('net.type.' + v) }))} />
      <${Field} label=${t('net.grade')} name="grade" as="select" value=${f.grade} onChange=${set('grade')} error=${errs.grade}
        options=${['', 'A', 'B', 'C', 'D'].map((v) => ({ value: v, label: v || '–' }))} />
      ${fld('region', t('net.region'), { required: true, inputmode: 'numeric', hint: outlet?.region_name })}
      ${fld('capacity', t('net.capacity'), { inputmode: 'numeric' })}
      ${fld('phone', t('net.phone'))}
      ${fld('address', t('net.address'))}
    </div>
    ${fld('covers', t('net.covers'), { hint: t('net.covers_hint') })}
    ${fld('product_lines', t('net.lines'), { hint: t('net.lines_hint') })}
    <div style=${grid}>
      ${fld('suspended_from', t('net.suspended_from'), { type: 'date' })}
      ${fld('suspended_until', t('net.suspended_until'), { type: 'date' })}
      ${fld('contract_start', t('net.contract_start'), { type: 'date' })}
      ${fld('contract_end', t('net.contract_end'), { type: 'date' })}
    </div>
    <div class="field"><label><input type="checkbox" name="active" checked=${f.active} onChange=${set('active')} /> ${t('net.active')}</label></div>
    <${Button} type="submit" busy=${busy}>${creating ? t('net.create') : t('net.save')}</${Button}>
  </form>`;
}

function Technicians({ outlet, user }) {
  const [items, setItems] = useState(null);
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const load = useCallback(async () => {
    try {
      const list = await api.get('/technicians', { query: { outlet: outlet.code, limit: 500 } });
      setItems(await Promise.all(list.items.map((x) => api.get('/technicians/' + encodeURIComponent(x.code)))));
    } catch (e) { setError(e); }
  }, [outlet.code]);
  useEffect(() => { load(); }, [load]);
  const canAdd = [...ADMIN, 'outlet_manager'].includes(user.role);
  async function add(e) {
    e.preventDefault();
    try { await api.post('/technicians', { outlet: outlet.code, name }); setName(''); setError(null); load(); } catch (err) { setError(err); }
  }
  const columns = [
    { key: 'code', label: 'ID' }, { key: 'name', label: t('net.tech_name') },
    { key: 'skills', label: t('net.tech_skills'),
      render: (x) => x.skills.map((s) => `${s.product_line}·${s.level}`).join(' ') },
    { key: 'records', label: t('net.tech_records'),
      render: (x) => x.records.map((r) => html`<div key=${r.name}>${r.name}${r.expires_on ? ` → ${r.expires_on}` : ''}
        ${r.expired ? html` <strong style="color:#b42318">${t('net.expired')}</strong>` : null}</div>`) },
  ];
  return html`<h2 class="section-title">${t('net.techs')}</h2>
    <${ErrorBanner} error=${error} />
    ${items === null ? html`<${Loading} />` : html`<${Table} columns=${columns} rows=${items}
      downloads=${{ path: '/technicians', params: { outlet: outlet.code }, name: 'technicians' }} />`}
    ${canAdd ? html`<form onSubmit=${add} class="inline-form">
      <${Field} label=${t('net.tech_name')} name="tech_name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} error=${fieldErrors(error).name} />
      <${Button} type="submit" variant="secondary">${t('net.tech_add')}</${Button}></form>` : null}`;
}

// Free on-site slots of the outlet's technicians on a date; a click books one.
const localTime = (iso) => new Date(iso).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });

function Slots({ outlet, user }) {
  const tomorrow = new Date(Date.now() + 8 * 3600e3 + 86400e3).toISOString().slice(0, 10);
  const [date, setDate] = useState(tomorrow);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const [booked, setBooked] = useState(null);
  const load = useCallback(async () => {
    try { setData(await api.get(`/outlets/${encodeURIComponent(outlet.code)}/slots`, { query: { date } })); setError(null); } catch (e) { setData(null); setError(e); }
    try { setBooked((await api.get('/appointments', { query: { outlet: outlet.code, date } })).items); } catch (e) { setBooked(null); setError(e); }
  }, [outlet.code, date]);
  useEffect(() => { load(); }, [load]);
  const canBook = [...ADMIN, 'agent', 'outlet_manager'].includes(user.role);
  async function completeVisit(a) {
    try { await api.post(`/appointments/${encodeURIComponent(a.code)}/complete`, {}); load(); } catch (e) { setError(e); }
  }
  async function book(tech, slot) {
    try {
      const a = await api.post('/appointments', { technician: tech.code, starts_at: slot.starts_at });
      setDone(t('net.booked', { code: a.code, tech: tech.name, time: `${date} ${localTime(a.starts_at)}` }));
      load();
    } catch (e) { setError(e); }
  }
  return html`<h2 class="section-title">${t('net.slots')}</h2>
    <${Field} label=${t('net.slots_date')} name="slot_date" type="date" value=${date} onChange=${(e) => setDate(e.currentTarget.value)} />
    <${ErrorBanner} error=${error} />
    ${done ? html`<${Notice}>${done}</${Notice}>` : null}
    ${data && !data.open ? html`<p class="muted">${t('net.slots_closed')}</p>` : null}
    ${data && data.open ? html`<div data-testid="slots">${data.technicians.map((tech) => html`<div key=${tech.code} style="margin:8px 0">
      <strong>${tech.name}</strong> <span class="muted">${tech.code}</span>
      <div style="display:flex;flex-wrap:wrap;gap:6px;margin-top:4px">
        ${tech.slots.length ? tech.slots.map((sl) => html`<${Button} key=${sl.starts_at} variant="secondary" disabled=${!canBook}
          onClick=${() => book(tech, sl)}>${localTime(sl.starts_at)}</${Button}>`) : html`<span class="muted">${t('net.slots_none')}</span>`}
      </div></div>`)}</div>` : null}
    <h3>${t('net.appts')}</h3>
    ${booked === null ? null : html`<div data-testid="appointments"><${Table} columns=${apptColumns(canBook || user.role === 'technician' ? completeVisit : null)} rows=${booked}
      empty=${html`<p class="muted">${t('net.appts_none')}</p>`}
      downloads=${{ path: '/appointments', params: { outlet: outlet.code, date }, name: 'appointments' }} /></div>`}`;
}

const apptColumns = (complete) => [
  { key: 'code', label: t('net.appt.code') },
  { key: 'technician', label: t('net.appt.technician') },
  { key: 'starts_at', label: t('net.appt.time'), render: (a) => `${localTime(a.starts_at)}-${localTime(a.ends_at)}` },
  { key: 'repair', label: t('net.appt.repair') },
  { key: 'cancelled', label: t('net.appt.cancelled'), render: (a) => (a.cancelled ? t('net.yes') : t('net.no')) },
  // the visit done (its customer is then invited to a satisfaction survey)
  { key: 'completed', label: t('net.appt.completed'), render: (a) => (a.completed ? t('net.yes') : a.cancelled || !complete ? t('net.no')
    : html`<${Button} variant="secondary" data-complete=${a.code} onClick=${() => complete(a)}>${t('net.appt.complete')}</${Button}>`) },
];

function OutletDetail({ code, user }) {
  const [outlet, setOutlet] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setOutlet(null);
    api.get('/outlets/' + encodeURIComponent(code)).then(setOutlet, setError);
  }, [code]);
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (!outlet) return html`<${Loading} />`;
  const h = outlet.hours;
  const uniform = h.length === 7 && h.every((x) => x.opens === h[0].opens && x.closes === h[0].closes);
  return html`
    <h2 class="section-title">${outlet.code} · ${outlet.name}</h2>
    <p class="muted" data-testid="outlet-hours">${outlet.region_name} · ${t('net.hours')}: ${!h.length ? t('net.hours_none')
      : uniform ? t('net.hours_all', h[0]) : h.map((x) => `${weekdayName(x.weekday)} ${x.opens}-${x.closes}`).join(', ')}</p>
    ${ADMIN.includes(user.role) ? html`<${OutletForm} key=${outlet.version} outlet=${outlet} onSaved=${setOutlet} />`
      : html`<p>${t('net.covers')}: ${outlet.covers.join(' ')}</p><p>${t('net.lines')}: ${outlet.product_lines.join(' ')}</p>`}
    <${Technicians} outlet=${outlet} user=${user} />
    <${Slots} outlet=${outlet} user=${user} />`;
}

// ISO weekday 1 (Monday) .. 7 in the current language; 2024-01-01 was a Monday.
function weekdayName(wd) {
  return new Intl.DateTimeFormat(getLang(), { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, wd)));
}

// ---- coverage ----

function CoverageChart({ provinces }) {
  const ref = useRef(null);
  useEffect(() => {
    let chart = null;
    let live = true;
    import('chart.js/auto').then(({ default: Chart }) => {
      if (!live || !ref.current) return;
      chart = new Chart(ref.current, {
        type: 'bar',
        data: {
          labels: provinces.map((p) => p.name),
          datasets: [{ label: t('net.cov.rate'), data: provinces.map((p) => (p.rate === null ? 0 : +(p.rate * 100).toFixed(1))),
            backgroundColor: provinces.map((p) => (p.rate === 1 ? '#2e7d32' : p.rate >= 0.9 ? '#1565c0' : '#e65100')) }],
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + '%' } }, x: { ticks: { autoSkip: innerWidth < 700, maxRotation: 90, minRotation: 60 } } },
          plugins: { legend: { display: false } } },
      });
    }).catch(() => {});
    return () => { live = false; chart?.destroy(); };
  }, [provinces]);
  return html`<div style="position:relative;height:320px;min-width:0"><canvas ref=${ref} role="img" aria-label=${t('net.cov.chart')}></canvas></div>`;
}

function Coverage() {
  const [scope, setScope] = useState('');
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const load = useCallback(async (region) => {
    setError(null);
    try { setData(await api.get('/coverage', { query: region ? { region } : undefined })); } catch (e) { setError(e); }
  }, []);
  useEffect(() => { load(''); }, []);
  const groups = data ? (data.provinces || data.cities || []) : [];
  const columns = [
    { key: 'code', label: t('net.cov.region_code') }, { key: 'name', label: data?.cities ? t('net.cov.city') : t('net.cov.province') },
    { key: 'covered', label: t('net.cov.covered'), align: 'right' }, { key: 'total', label: t('net.cov.total'), align: 'right' },
    { key: 'rate', label: t('net.cov.rate'), align: 'right', render: (g) => pct(g.rate) },
  ];
  return html`
    <form class="inline-form" onSubmit=${(e) => { e.preventDefault(); load(scope.trim()); }}>
      <${Field} label=${t('net.cov.scope')} name="scope" value=${scope} onInput=${(e) => setScope(e.currentTarget.value)} inputmode="numeric" />
      <${Button} type="submit" variant="secondary">${t('net.cov.show')}</${Button}>
    </form>
    <${ErrorBanner} error=${error} />
    ${!data ? (error ? null : html`<${Loading} />`) : html`
      <div class="notice" data-testid="coverage-summary">
        <div class="notice-title">${data.region ? data.region : t('net.cov.country')}</div>
        <div class="notice-body"><strong data-testid="coverage-rate" style="font-size:1.6em">${pct(data.rate)}</strong>
          ${' · '}${t('net.cov.covered')} <span data-testid="coverage-covered">${data.covered}</span> / ${data.total}</div>
      </div>
      ${groups.length > 1 ? html`<h2 class="section-title">${t(data.cities ? 'net.cov.chart_city' : 'net.cov.chart')}</h2><${CoverageChart} provinces=${groups} />` : null}
      <${Table} columns=${columns} rows=${groups}
        downloads=${{ path: '/coverage', params: { region: data.region }, name: 'coverage', filename: 'coverage' }} />
      <details><summary>${t('net.cov.uncovered')} (${data.uncovered.length})</summary>
        <p style="word-break:break-all">${data.uncovered.join(' ')}</p></details>`}`;
}

// ---- routing ----

function Routing() {
  const [q, setQ] = useState({ region: '', product_line: '' });
  const [res, setRes] = useState(null);
  const [error, setError] = useState(null);
  async function go(e) {
    e.preventDefault();
    setError(null);
    try { setRes(await api.get('/routing/suggest', { query: q })); } catch (err) { setRes(null); setError(err); }
  }
  const errs = fieldErrors(error);
  const columns = [
    { key: 'code', label: t('net.code') }, { key: 'name', label: t('net.name') }, { key: 'grade', label: t('net.grade') },
    { key: 'load', label: t('net.route.load'), align: 'right', render: (c) => `${c.open_repairs}/${c.capacity}${c.full ? ' ⚠' : ''}` },
    { key: 'distance', label: t('net.route.distance'), render: (c) => t('net.dist.' + c.distance) },
    { key: 'score', label: t('net.route.score'), align: 'right', render: (c) => c.score.toFixed(2) },
  ];
  return html`
    <form onSubmit=${go} class="inline-form">
      <${Field} label=${t('net.route.region')} name="region" value=${q.region} error=${errs.region} inputmode="numeric"
        onInput=${(e) => setQ({ ...q, region: e.currentTarget.value.trim() })} />
      <${Field} label=${t('net.route.line')} name="product_line" value=${q.product_line} error=${errs.product_line}
        onInput=${(e) => setQ({ ...q, product_line: e.currentTarget.value.trim() })} />
      <${Button} type="submit">${t('net.route.go')}</${Button}>
    </form>
    <${ErrorBanner} error=${error && !error.fields ? error : null} />
    ${res ? html`<${Notice} title=${res.outlet ? t('net.route.chosen', { code: res.outlet }) : t('net.route.none')}>
        ${res.outlet ? html`<div data-testid="routing-why">${t('net.route.why', { line: q.product_line,
          open: res.candidates[0].open_repairs, cap: res.candidates[0].capacity, pct: pct(res.candidates[0].load),
          grade: res.candidates[0].grade || '–', dist: t('net.dist.' + res.candidates[0].distance), n: res.candidates.length })}</div>` : null}
        <div class="muted" data-testid="routing-reason" lang="en">${res.reason}</div></${Notice}>
      <${Table} columns=${columns} rows=${res.candidates} />` : null}`;
}

export default function Outlets({ user, params = [] }) {
  const sub = params[0] || '';
  const [, force] = useState(0);
  let body;
  if (sub === '') body = html`<${OutletList} user=${user} />`;
  else if (sub === 'new') body = html`<${OutletForm} onSaved=${(o) => { location.hash = '#/outlets/' + encodeURIComponent(o.code); force((n) => n + 1); }} />`;
  else if (sub === 'coverage') body = html`<${Coverage} />`;
  else if (sub === 'routing') body = html`<${Routing} />`;
  else body = html`<${OutletDetail} code=${sub} user=${user} />`;
  return html`<${Page} title=${t('net.title')}>
    <${Tabs} user=${user} current=${['new', 'coverage', 'routing', ''].includes(sub) ? sub : null} />
    ${body}
  </${Page}>`;
}
