// Business calendars and the complaint SLA policy (M10), for admins and supervisors: the
// calendars list, a calendar's zone, weekly windows (several a day) and dated exceptions
// (holiday / make-up working day / special hours, each with its source), the year's
// official holidays and make-up days month by month, the "next year missing" warning,
// and the SLA policy form. Hash routes:
//   #/calendars          list and policy     #/calendars/NAME   edit (new: a new name)
import { useState, useEffect } from 'preact/hooks';
import * as api from '../api.js';
import { t, has, registerMessages, byLang, getLang } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Table, fieldErrors, useStyle } from '../ui.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const KINDS = ['holiday', 'makeup_workday', 'special_hours'];

registerMessages(byLang({
  'cal.title': ['工作日历', 'Business calendars'],
  'cal.name': ['名称', 'Name'],
  'cal.name_hint': ['小写字母、数字、- 和 _', 'Lower-case letters, digits, - and _'],
  'cal.zone': ['时区', 'Time zone'],
  'cal.holidays': ['法定节假日', 'Public holidays'],
  'cal.holidays_cn': ['中国大陆法定节假日和调休（国务院安排）', 'Mainland-China holidays and make-up working days (State Council)'],
  'cal.none': ['无', 'none'],
  'cal.version': ['版本', 'Version'],
  'cal.builtin': ['内置，不可修改', 'built in, cannot be changed'],
  'cal.edit': ['编辑', 'Edit'],
  'cal.new': ['新建日历', 'New calendar'],
  'cal.weekly': ['每周工作时间', 'Weekly hours'],
  'cal.windows_hint': ['如 09:00-12:00, 13:00-18:00；空为休息；结束早于开始表示跨午夜', 'e.g. 09:00-12:00, 13:00-18:00; empty: closed; an end before the start runs past midnight'],
  'cal.d.mon': ['周一', 'Monday'], 'cal.d.tue': ['周二', 'Tuesday'], 'cal.d.wed': ['周三', 'Wednesday'],
  'cal.d.thu': ['周四', 'Thursday'], 'cal.d.fri': ['周五', 'Friday'], 'cal.d.sat': ['周六', 'Saturday'],
  'cal.d.sun': ['周日', 'Sunday'],
  'cal.exceptions': ['特殊日期', 'Dated exceptions'],
  'cal.exc.day': ['日期', 'Day'],
  'cal.exc.kind': ['类型', 'Kind'],
  'cal.exc.hours': ['工作时间（特殊时间）', 'Hours (special hours)'],
  'cal.exc.source': ['来源', 'Source'],
  'cal.exc.add': ['添加日期', 'Add a day'],
  'cal.exc.remove': ['删除', 'Remove'],
  'cal.k.holiday': ['休息日', 'Holiday'],
  'cal.k.makeup_workday': ['调休上班', 'Make-up working day'],
  'cal.k.special_hours': ['特殊工作时间', 'Special hours'],
  'cal.save': ['保存日历', 'Save the calendar'],
  'cal.saved': ['已保存，进行中投诉的到期时间已重新计算', 'Saved; the open complaints\' due times were recomputed'],
  'cal.year': ['{year} 年节假日与调休', 'Holidays and make-up days of {year}'],
  'cal.prev': ['上一年', 'Previous year'],
  'cal.next': ['下一年', 'Next year'],
  'cal.legend': ['休 = 休息日，班 = 调休上班，特 = 特殊工作时间，灰色 = 每周休息', '休 = day off, 班 = make-up working day, 特 = special hours, grey = closed every week'],
  'cal.month': ['{m} 月', 'Month {m}'],
  'cal.working_sat': ['调休上班（周六）', 'working Saturday (make-up day)'],
  'cal.warn.next_year_missing': ['{year} 年的法定节假日安排尚未导入：国务院公布后请导入（aftersales import holidays FILE.csv），系统不会猜测日期。', 'The official holiday schedule of {year} is not loaded yet: import it when the State Council publishes it (aftersales import holidays FILE.csv); days are not guessed.'],
  'cal.warn.holidays_missing': ['{year} 年的法定节假日安排未导入：请导入（aftersales import holidays FILE.csv），系统不会猜测日期。', 'This year\'s ({year}) official holiday schedule is not loaded: import it (aftersales import holidays FILE.csv); days are not guessed.'],
  'cal.policy': ['投诉时限规则', 'Complaint SLA policy'],
  'cal.policy.calendar': ['日历', 'Calendar'],
  'cal.policy.fr': ['首次响应（工作小时）', 'First response (business hours)'],
  'cal.policy.res': ['解决（工作小时）', 'Resolution (business hours)'],
  'cal.policy.esc': ['升级比例', 'Escalation shares'],
  'cal.policy.esc_hint': ['目标时间的比例，逗号分隔，如 0.75, 1.0', 'Shares of the target, comma-separated, e.g. 0.75, 1.0'],
  'cal.policy.save': ['保存规则', 'Save the policy'],
  'cal.policy.saved': ['时限规则已保存', 'Policy saved'],
  'error.read_only': ['内置日历不可修改。', 'The built-in calendar cannot be changed.'],
  'error.holidays_unavailable': ['无法加载法定节假日数据。', 'The official holiday schedule could not be loaded.'],
}));

const CSS = `
.cal-panel { background: #fff; border: 1px solid var(--border); border-radius: var(--radius); padding: 16px; margin-bottom: 16px; }
.cal-panel h2 { margin-top: 0; font-size: 16px; }
.cal-week { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 0 16px; }
.cal-exc { display: grid; grid-template-columns: 10em 12em 1fr 1fr auto; gap: 6px; align-items: end; margin-bottom: 6px; }
.cal-months { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 14px; }
.cal-month h3 { margin: 0 0 4px; font-size: 14px; }
.cal-grid { display: grid; grid-template-columns: repeat(7, 1fr); gap: 2px; font-size: 12px; }
.cal-grid .hd { text-align: center; color: var(--muted); }
.cal-cell { position: relative; text-align: center; padding: 3px 0; border-radius: 4px; background: #f4f7fb; min-height: 2.4em; }
.cal-cell.off { background: #eceff3; color: #8a94a3; }
.cal-cell.holiday { background: #fde8e8; color: #b42318; font-weight: 600; }
.cal-cell.makeup_workday { background: #e6f0ff; color: #1d4f91; font-weight: 600; outline: 1px solid #7aa2dd; }
.cal-cell.special_hours { background: #fff4d6; color: #7a5300; }
.cal-cell .mark { display: block; font-size: 10px; line-height: 1; }
.cal-actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin: 8px 0; }
@media (max-width: 800px) { .cal-exc { grid-template-columns: 1fr 1fr; } }
`;

// [["09:00","12:00"],["13:00","18:00"]] <-> "09:00-12:00, 13:00-18:00"
const windowsText = (ws) => (ws || []).map(([a, b]) => `${a}-${b}`).join(', ');
const parseWindows = (s) => s.split(/[,，;；]/).map((x) => x.trim()).filter(Boolean)
  .map((w) => w.split(/\s*[-–~]\s*/));

// The year's local days as a month grid: day kinds from the API (days), weekly closures
// from the calendar's weekly windows.
function MonthGrid({ year, days, weekly }) {
  const byDay = Object.fromEntries((days || []).map((d) => [d.day, d]));
  const head = DAYS.map((d) => html`<span class="hd">${t('cal.d.' + d).slice(0, 2)}</span>`);
  const mark = { holiday: '休', makeup_workday: '班', special_hours: '特' };
  const months = [];
  for (let m = 1; m <= 12; m++) {
    const first = new Date(Date.UTC(year, m - 1, 1));
    const lead = (first.getUTCDay() + 6) % 7; // Monday first
    const n = new Date(Date.UTC(year, m, 0)).getUTCDate();
    const cells = [];
    for (let i = 0; i < lead; i++) cells.push(html`<span></span>`);
    for (let d = 1; d <= n; d++) {
      const iso = `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      const dow = DAYS[(lead + d - 1) % 7];
      const x = byDay[iso];
      const closed = !(weekly?.[dow] || []).length;
      const working = x ? x.kind !== 'holiday' : !closed;
      const cls = x ? x.kind : closed ? 'off' : '';
      const name = x ? (getLang() === 'en' ? x.name_en || x.name_zh : x.name_zh || x.name_en) || '' : '';
      const title = x ? `${iso} ${t('cal.k.' + x.kind)}${name ? ' · ' + name : ''}${x.source ? ' · ' + x.source : ''}` : iso;
      cells.push(html`<span class=${'cal-cell ' + cls} data-day=${iso} data-kind=${x ? x.kind : closed ? 'closed' : 'open'}
        data-working=${working ? 'true' : 'false'} data-weekday=${dow} title=${title}
        aria-label=${x?.kind === 'makeup_workday' && dow === 'sat' ? `${iso} ${t('cal.working_sat')}` : title}>
        ${d}${x ? html`<span class="mark">${mark[x.kind]}</span>` : null}</span>`);
    }
    months.push(html`<div class="cal-month" data-month=${m}><h3>${t('cal.month', { m })}</h3>
      <div class="cal-grid">${head}${cells}</div></div>`);
  }
  return html`<div class="cal-months" data-testid="cal-months" data-year=${year}>${months}</div>`;
}

function YearView({ name, weekly, saved }) {
  const now = new Date(Date.now() + 8 * 3600e3);
  const [year, setYear] = useState(now.getUTCFullYear());
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    setError(null);
    api.get(`/calendars/${name}`, { query: { year } }).then((r) => live && setData(r), (e) => live && setError(e));
    return () => { live = false; };
  }, [name, year, saved]);
  return html`<section class="cal-panel" data-testid="cal-year">
    <h2>${t('cal.year', { year })}</h2>
    ${(data?.warnings || []).map((w) => html`<${Notice} tone="warning"><span data-testid="cal-warning" data-code=${w.code} data-year=${w.year}>${has('cal.warn.' + w.code) ? t('cal.warn.' + w.code, { year: w.year }) : w.message}</span></${Notice}>`)}
    <${ErrorBanner} error=${error} />
    <div class="cal-actions">
      <${Button} variant="secondary" data-year-step="-1" onClick=${() => setYear(year - 1)}>${t('cal.prev')}</${Button}>
      <strong>${year}</strong>
      <${Button} variant="secondary" data-year-step="1" onClick=${() => setYear(year + 1)}>${t('cal.next')}</${Button}>
      <span class="muted">${t('cal.legend')}</span>
    </div>
    ${data ? html`<${MonthGrid} year=${year} days=${data.days} weekly=${weekly} />` : html`<${Loading} />`}
  </section>`;
}

function Editor({ name }) {
  const fresh = name === 'new';
  const [cal, setCal] = useState(null);
  const [v, setV] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(0);
  const load = (c) => {
    setCal(c);
    setV({ name: fresh ? '' : c.name, zone: c.zone, holidays: !!c.holidays,
      week: Object.fromEntries(DAYS.map((d) => [d, windowsText(c.weekly?.[d])])),
      exceptions: (c.exceptions || []).map((e) => ({ day: e.day, kind: e.kind, hours: windowsText(e.hours), source: e.source || '' })) });
  };
  useEffect(() => {
    if (fresh) {
      load({ zone: 'Asia/Shanghai', holidays: 'cn', weekly: Object.fromEntries(DAYS.map((d, i) => [d, i < 5 ? [['09:00', '18:00']] : []])), exceptions: [] });
      return;
    }
    api.get(`/calendars/${name}`).then(load, setError);
  }, [name]);
  if (error && !v) return html`<${Page} title=${name}><${ErrorBanner} error=${error} /></${Page}>`;
  if (!v) return html`<${Loading} />`;
  const ro = !!cal.builtin;
  const setExc = (i, k) => (e) => setV({ ...v, exceptions: v.exceptions.map((x, j) => (j === i ? { ...x, [k]: e.currentTarget.value } : x)) });
  async function save(e) {
    e.preventDefault();
    setBusy(true); setError(null);
    const body = { zone: v.zone.trim(), holidays: v.holidays ? 'cn' : null,
      weekly: Object.fromEntries(DAYS.map((d) => [d, parseWindows(v.week[d])])),
      exceptions: v.exceptions.map((x) => ({ day: x.day.trim(), kind: x.kind, source: x.source.trim() || null,
        ...(x.kind === 'special_hours' ? { hours: parseWindows(x.hours) } : {}) })) };
    if (!fresh) body.version = cal.version;
    try {
      const r = await api.put(`/calendars/${fresh ? v.name.trim() : name}`, body);
      if (fresh) { location.hash = '#/calendars/' + r.name; return; }
      load(r); setSaved(saved + 1);
    } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = fieldErrors(error);
  return html`<${Page} title=${fresh ? t('cal.new') : html`<span data-testid="cal-name">${name}</span>`}
    actions=${html`<a class="btn btn-secondary" href="#/calendars">${t('cal.title')}</a>`}>
    <form class="cal-panel" onSubmit=${save} novalidate data-testid="cal-form">
      ${ro ? html`<${Notice}>${t('cal.builtin')}</${Notice}>` : null}
      <${ErrorBanner} error=${error && error.code !== 'validation_failed' ? error : null} />
      ${saved ? html`<${Notice}><span data-testid="cal-saved">${t('cal.saved')}</span></${Notice}>` : null}
      ${fresh ? html`<${Field} label=${t('cal.name')} name="name" value=${v.name} hint=${t('cal.name_hint')} required error=${fe.name}
        onInput=${(e) => setV({ ...v, name: e.currentTarget.value })} />` : null}
      <${Field} label=${t('cal.zone')} name="zone" value=${v.zone} required error=${fe.zone} disabled=${ro}
        onInput=${(e) => setV({ ...v, zone: e.currentTarget.value })} />
      <label style="display:flex;gap:8px;align-items:center;margin:8px 0">
        <input type="checkbox" name="holidays" checked=${v.holidays} disabled=${ro}
          onChange=${(e) => setV({ ...v, holidays: e.currentTarget.checked })} />${t('cal.holidays_cn')}</label>
      ${fe.holidays ? html`<div class="field-error">${fe.holidays}</div>` : null}
      <h2>${t('cal.weekly')}</h2>
      ${fe.weekly ? html`<div class="field-error" data-testid="cal-weekly-error">${fe.weekly}</div>` : null}
      <div class="cal-week">${DAYS.map((d) => html`<${Field} key=${d} label=${t('cal.d.' + d)} name=${'week_' + d} value=${v.week[d]}
        hint=${d === 'mon' ? t('cal.windows_hint') : null} disabled=${ro}
        onInput=${(e) => setV({ ...v, week: { ...v.week, [d]: e.currentTarget.value } })} />`)}</div>
      <h2>${t('cal.exceptions')}</h2>
      ${fe.exceptions ? html`<div class="field-error" data-testid="cal-exc-error">${fe.exceptions}</div>` : null}
      ${v.exceptions.map((x, i) => html`<div class="cal-exc" key=${i} data-exception=${i}>
        <${Field} label=${t('cal.exc.day')} name=${'exc_day_' + i} type="date" value=${x.day} onInput=${setExc(i, 'day')} disabled=${ro} />
        <${Field} label=${t('cal.exc.kind')} name=${'exc_kind_' + i} as="select" value=${x.kind} onChange=${setExc(i, 'kind')} disabled=${ro}
          options=${KINDS.map((k) => ({ value: k, label: t('cal.k.' + k) }))} />
        <${Field} label=${t('cal.exc.hours')} name=${'exc_hours_' + i} value=${x.hours} onInput=${setExc(i, 'hours')} disabled=${ro || x.kind !== 'special_hours'} />
        <${Field} label=${t('cal.exc.source')} name=${'exc_source_' + i} value=${x.source} onInput=${setExc(i, 'source')} disabled=${ro} />
        ${ro ? null : html`<${Button} variant="ghost" onClick=${() => setV({ ...v, exceptions: v.exceptions.filter((_, j) => j !== i) })}>${t('cal.exc.remove')}</${Button}>`}
      </div>`)}
      ${ro ? null : html`<div class="cal-actions">
        <${Button} variant="secondary" data-do="add-exception" onClick=${() => setV({ ...v, exceptions: [...v.exceptions, { day: '', kind: 'holiday', hours: '', source: '' }] })}>${t('cal.exc.add')}</${Button}>
        <${Button} type="submit" busy=${busy}>${t('cal.save')}</${Button}></div>`}
    </form>
    ${fresh ? null : html`<${YearView} name=${name} weekly=${cal.weekly} saved=${saved} />`}
  </${Page}>`;
}

function Policy({ calendars }) {
  const [p, setP] = useState(null);
  const [v, setV] = useState(null);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const load = (x) => { setP(x); setV({ calendar: x.calendar, fr: String(x.first_response_hours), res: String(x.resolution_hours), esc: (x.escalation || []).join(', ') }); };
  useEffect(() => { api.get('/sla-policies/complaint').then(load, setError); }, []);
  if (!v) return error ? html`<${ErrorBanner} error=${error} />` : html`<${Loading} />`;
  const num = (s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : s);
  async function save(e) {
    e.preventDefault();
    setBusy(true); setError(null); setDone(false);
    try {
      load(await api.put('/sla-policies/complaint', { calendar: v.calendar, first_response_hours: num(v.fr), resolution_hours: num(v.res),
        escalation: v.esc.split(/[,，\s]+/).filter(Boolean).map(Number), version: p.version }));
      setDone(true);
    } catch (err) { setError(err); }
    setBusy(false);
  }
  const fe = fieldErrors(error);
  const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });
  return html`<form class="cal-panel" onSubmit=${save} novalidate data-testid="policy-form">
    <h2>${t('cal.policy')}</h2>
    <${ErrorBanner} error=${error && error.code !== 'validation_failed' ? error : null} />
    ${done ? html`<${Notice}><span data-testid="policy-saved">${t('cal.policy.saved')}</span></${Notice}>` : null}
    <div class="cal-week">
      <${Field} label=${t('cal.policy.calendar')} name="policy_calendar" as="select" value=${v.calendar} onChange=${set('calendar')} error=${fe.calendar}
        options=${calendars.map((c) => ({ value: c.name, label: c.name }))} />
      <${Field} label=${t('cal.policy.fr')} name="policy_fr" value=${v.fr} inputmode="numeric" onInput=${set('fr')} error=${fe.first_response_hours} />
      <${Field} label=${t('cal.policy.res')} name="policy_res" value=${v.res} inputmode="numeric" onInput=${set('res')} error=${fe.resolution_hours} />
      <${Field} label=${t('cal.policy.esc')} name="policy_esc" value=${v.esc} hint=${t('cal.policy.esc_hint')} onInput=${set('esc')} error=${fe.escalation} />
    </div>
    <${Button} type="submit" busy=${busy}>${t('cal.policy.save')}</${Button}>
  </form>`;
}

function List({ user }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api.get('/calendars', { query: { limit: 500 } }).then((r) => setItems(r.items), setError); }, []);
  if (error) return html`<${Page} title=${t('cal.title')}><${ErrorBanner} error=${error} /></${Page}>`;
  if (!items) return html`<${Loading} />`;
  const columns = [
    { key: 'name', label: t('cal.name'), render: (c) => html`<a href=${'#/calendars/' + c.name} data-calendar=${c.name}>${c.name}</a>` },
    { key: 'zone', label: t('cal.zone') },
    { key: 'holidays', label: t('cal.holidays'), render: (c) => (c.holidays === 'cn' ? t('cal.holidays_cn') : t('cal.none')) },
    { key: 'weekly', label: t('cal.weekly'), render: (c) => DAYS.filter((d) => c.weekly?.[d]?.length)
      .map((d) => `${t('cal.d.' + d)} ${windowsText(c.weekly[d])}`).join('；') },
    { key: 'version', label: t('cal.version'), align: 'right' },
  ];
  return html`<${Page} title=${t('cal.title')} actions=${html`<a class="btn btn-primary" href="#/calendars/new" data-testid="cal-new">${t('cal.new')}</a>`}>
    <div class="cal-panel"><${Table} columns=${columns} rows=${items} rowKey="name" downloads=${{ path: '/calendars', name: 'calendars' }} /></div>
    ${['admin', 'supervisor'].includes(user.role) ? html`<${Policy} calendars=${items} />` : null}
  </${Page}>`;
}

export default function Calendars({ user, params }) {
  useStyle('cal-style', CSS);
  const [first] = params || [];
  if (!first) return html`<${List} user=${user} />`;
  return html`<${Editor} key=${first} name=${first} />`;
}
