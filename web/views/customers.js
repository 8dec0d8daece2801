// Customer master (M1): search as you type with strong and weak matches and why, the
// customer card (identities, consent, history timeline), create and edit forms with
// field errors, the merge dialog with both records side by side, export and erasure.
// Hash routes:
//   #/customers              search            #/customers/new         create
//   #/customers/CODE         card              #/customers/CODE/edit   edit
//   #/customers/CODE/merge   merge a duplicate into CODE
import { useState, useEffect, useRef } from 'preact/hooks';
import * as api from '../api.js';
import { t, registerMessages, byLang, formatDateTime } from '../i18n.js';
import { html, Page, Field, Button, ErrorBanner, Notice, Loading, Empty, DownloadLinks, downloadText } from '../ui.js';
import { useItems } from '../lib/lists.js';
import { STATUSES } from './repairs.js'; // and its status names (rs.*)

registerMessages(byLang({
  'cust.search.label': ['电话、姓名、邮箱或客户编号', 'Phone, name, email or customer code'],
  'cust.search.hint': ['可输入完整号码、号码后四位、+86 或全角数字；姓名可输入繁体', 'A whole number, its last four digits, +86 or full-width digits; names in traditional characters work too'],
  'cust.search.placeholder': ['例如 138 0013 8000、张伟、zhang@example.com、C00000001', 'e.g. 138 0013 8000, 张伟, zhang@example.com, C00000001'],
  'cust.new': ['新建客户', 'New customer'],
  'cust.matches': ['识别结果', 'Who this is'],
  'cust.results': ['搜索结果', 'Search results'],
  'cust.none': ['没有找到客户', 'No customer found'],
  'cust.none.body': ['可以新建客户。', 'You can create a new customer.'],
  'cust.strong': ['确定匹配', 'Strong match'],
  'cust.weak': ['可能匹配', 'Possible match'],
  'cust.reason.phone': ['电话相同', 'same phone'],
  'cust.reason.email': ['邮箱相同', 'same email'],
  'cust.reason.name': ['姓名相同', 'same name'],
  'cust.reason.region': ['地区相同', 'same region'],
  'cust.reason.phone_tail': ['电话后四位相同', 'same last 4 digits'],
  'cust.how.code': ['客户编号', 'code'],
  'cust.how.phone': ['电话', 'phone'],
  'cust.how.phone_prefix': ['电话开头', 'phone starts with'],
  'cust.how.phone_tail': ['电话后几位', 'phone ends with'],
  'cust.how.email': ['邮箱', 'email'],
  'cust.how.email_prefix': ['邮箱开头', 'email starts with'],
  'cust.how.name': ['姓名', 'name'],
  'cust.how.recent': ['最近新建', 'newest'],
  'cust.code': ['客户编号', 'Code'],
  'cust.name': ['姓名', 'Name'],
  'cust.phone': ['电话', 'Phone'],
  'cust.phone2': ['其他电话', 'Other phones'],
  'cust.phone2.hint': ['如座机，多个用逗号分隔', 'e.g. a landline; separate several with commas'],
  'cust.email': ['邮箱', 'Email'],
  'cust.email.hint': ['多个用逗号分隔', 'separate several with commas'],
  'cust.region': ['地区代码', 'Region code'],
  'cust.region.hint': ['六位行政区划代码（GB/T 2260），如 310104', 'six-digit GB/T 2260 code, e.g. 310104'],
  'cust.address': ['地址', 'Address'],
  'cust.lang': ['通知语言', 'Message language'],
  'cust.lang.hint': ['自动发送的短信和邮件（维修状态、回访、营销）使用此语言', 'Automatic texts and mails (repair status, surveys, campaigns) use this language'],
  'cust.lang.zh-CN': ['中文', 'Chinese'],
  'cust.lang.en': ['英文', 'English'],
  'cust.phones': ['电话', 'Phones'],
  'cust.emails': ['邮箱', 'Emails'],
  'cust.mobile': ['手机', 'mobile'],
  'cust.landline': ['座机', 'landline'],
  'cust.created': ['建档时间', 'Created'],
  'cust.updated': ['更新时间', 'Updated'],
  'cust.version': ['版本', 'Version'],
  'cust.merged_codes': ['已合并的编号', 'Merged codes'],
  'cust.consents': ['营销许可', 'Marketing consent'],
  'cust.consent.phone': ['电话', 'Phone'],
  'cust.consent.sms': ['短信', 'SMS'],
  'cust.consent.email': ['邮件', 'Email'],
  'cust.consent.fax': ['传真', 'Fax'],
  'cust.consent.post': ['信函', 'Post'],
  'cust.consent.unknown': ['未询问', 'not asked'],
  'cust.consent.yes': ['同意', 'granted'],
  'cust.consent.no': ['拒绝', 'refused'],
  'cust.consent.saved': ['许可已记录', 'Consent recorded'],
  'cust.history': ['服务记录', 'History'],
  'cust.new_complaint': ['登记投诉', 'Log a complaint'],
  'cust.history.empty': ['暂无记录', 'Nothing yet'],
  'cust.kind.customer': ['客户档案', 'Record'],
  'cust.kind.repair': ['维修', 'Repair'],
  'cust.kind.warranty': ['保修登记', 'Warranty'],
  'cust.kind.contact': ['联络', 'Contact'],
  'cust.kind.complaint': ['投诉', 'Complaint'],
  'cust.kind.survey': ['满意度回访', 'Survey'],
  'cust.edit': ['编辑', 'Edit'],
  'cust.merge': ['合并重复客户', 'Merge a duplicate'],
  'cust.export': ['导出个人数据', 'Export personal data'],
  'cust.erase': ['删除个人数据', 'Erase personal data'],
  'cust.erase.reason': ['删除原因', 'Reason'],
  'cust.erase.confirm': ['确认删除', 'Erase now'],
  'cust.erase.warning': ['姓名、地址、电话、邮箱和许可将被删除，且不可恢复；维修等记录以匿名方式保留用于统计。', 'Name, address, phones, emails and consents are removed for good; repairs and other records stay, anonymous, for statistics.'],
  'cust.erased': ['该客户的个人数据已删除', "This customer's personal data was erased"],
  'cust.save': ['保存', 'Save'],
  'cust.create': ['创建客户', 'Create customer'],
  'cust.force': ['仍然创建', 'Create anyway'],
  'cust.force.save': ['仍然保存', 'Save anyway'],
  'cust.dup.title': ['已有相同电话或邮箱的客户', 'A customer with this phone or email exists'],
  'cust.dup.body': ['请确认是否为同一人；若是，请打开已有客户。', 'Check whether it is the same person; if so, open the existing customer.'],
  'cust.open': ['打开', 'Open'],
  'cust.back': ['返回', 'Back'],
  'cust.stale': ['该客户已被他人修改，请重新加载后再编辑。', 'Someone else changed this customer; reload before editing.'],
  'cust.reload': ['重新加载', 'Reload'],
  'cust.merge.title': ['合并到 {code}', 'Merge into {code}'],
  'cust.merge.dup': ['重复客户的编号', 'Code of the duplicate'],
  'cust.merge.load': ['对比', 'Compare'],
  'cust.merge.keep': ['保留（主档）', 'Keep (survivor)'],
  'cust.merge.drop': ['合并后停用', 'Merged away'],
  'cust.merge.go': ['合并', 'Merge'],
  'cust.merge.explain': ['重复客户的全部记录、电话、邮箱和许可将转到主档，其编号今后也指向主档。', "All of the duplicate's records, phones, emails and consents move to the survivor; its code resolves to the survivor from now on."],
  'cust.resolved_from': ['编号 {code} 已合并到此客户', 'Code {code} was merged into this customer'],
  'cust.field': ['项目', 'Field'],
  'cust.more': ['加载更多', 'Load more'],
  'cust.act.create': ['建档', 'Created'],
  'cust.act.update': ['修改：{fields}', 'Changed: {fields}'],
  'cust.act.consent': ['{channel}营销许可：{value}', '{channel} marketing consent: {value}'],
  'cust.act.merge': ['合并了 {code}', 'Merged {code} into this customer'],
  'cust.act.merged_into': ['已合并到 {code}', 'Merged into {code}'],
  'cust.act.export': ['导出了个人数据', 'Personal data exported'],
  'cust.act.erase': ['删除了个人数据', 'Personal data erased'],
  'cust.by': ['操作人 {actor}', 'by {actor}'],
  'cust.new_repair': ['登记维修', 'Register a repair'],
  'cust.new_warranty': ['登记保修', 'Register a warranty'],
  'cust.units': ['产品', 'Products'],
  'cust.units.empty': ['还没有登记的产品', 'No product registered yet'],
  'cust.unit.until': ['保修至 {date}', 'covered until {date}'],
  'cust.unit.in': ['保修期内', 'in warranty'],
  'cust.unit.out': ['已过保修期', 'warranty ended'],
  'cust.unit.unregistered': ['未登记保修', 'warranty not registered'],
  'cust.unit.repair': ['为此产品登记维修', 'Register a repair for this product'],
}));

const CSS = `
.cust-search { max-width: 760px; }
.cust-search .input { font-size: 1.1rem; padding: 10px 12px; }
.cust-list { list-style: none; margin: 0 0 16px; padding: 0; border: 1px solid var(--border); border-radius: var(--radius); background: var(--surface); }
.cust-list li + li { border-top: 1px solid var(--border); }
.cust-item { display: flex; gap: 12px; align-items: center; padding: 10px 12px; color: inherit; text-decoration: none; flex-wrap: wrap; }
.cust-item:hover, .cust-item:focus { background: var(--accent-soft); }
.cust-item .cust-name { font-weight: 600; min-width: 6em; }
.cust-item .cust-code { font-family: ui-monospace, monospace; color: var(--muted); }
.cust-item .cust-ids { color: var(--muted); flex: 1; min-width: 12em; }
.cust-badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: .8rem; border: 1px solid var(--border-strong); white-space: nowrap; }
.cust-badge.strong { background: #e6f4ea; border-color: #8bc79b; color: #1e6b34; }
.cust-badge.weak { background: var(--warning-soft); border-color: var(--warning-border); color: #7a5300; }
.cust-why { font-size: .85rem; color: var(--muted); }
.cust-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; }
.cust-panel { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 14px 16px; }
.cust-panel h2 { font-size: 1rem; margin: 0 0 10px; }
.cust-dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; margin: 0; }
.cust-dl dt { color: var(--muted); }
.cust-dl dd { margin: 0; overflow-wrap: anywhere; }
.cust-consent { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; align-items: center; }
.cust-timeline { list-style: none; margin: 0; padding: 0; }
.cust-timeline li { padding: 8px 0; border-bottom: 1px solid var(--border); display: grid; grid-template-columns: 10em 6em 1fr; gap: 8px; }
.cust-units { list-style: none; margin: 0; padding: 0; }
.cust-units li { padding: 8px 0; border-bottom: 1px solid var(--border); display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; }
.cust-units li:last-child { border-bottom: 0; }
.cust-units .cust-unit-main { flex: 1; min-width: 14em; }
.cust-form { max-width: 640px; display: grid; gap: 4px; }
.cust-actions { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 8px; }
.cust-compare { width: 100%; border-collapse: collapse; }
.cust-compare th, .cust-compare td { border: 1px solid var(--border); padding: 6px 10px; text-align: left; vertical-align: top; }
.cust-compare thead th { background: var(--bg); }
.cust-dialog { border: 1px solid var(--border-strong); border-radius: var(--radius); padding: 16px; max-width: 860px; width: calc(100% - 32px); }
.cust-dialog::backdrop { background: rgba(20, 30, 50, .35); }
@media (max-width: 800px) { .cust-timeline li { grid-template-columns: 1fr; } }
`;

function useStyle() {
  useEffect(() => {
    if (document.getElementById('cust-style')) return;
    const el = document.createElement('style');
    el.id = 'cust-style';
    el.textContent = CSS;
    document.head.appendChild(el);
  }, []);
}

const WRITE = ['admin', 'supervisor', 'agent'];
const OUTLET = ['outlet_manager', 'technician']; // may match and open a customer, not list
const ADMIN = ['admin', 'supervisor'];
const REPAIR = ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician']; // may register a repair
const WARRANTY = ['admin', 'supervisor', 'agent', 'outlet_manager']; // the warranty page
const CHANNELS = ['phone', 'sms', 'email', 'fax', 'post'];

// What the agent typed decides which key the match endpoint gets.
export function classify(q) {
  const s = q.trim();
  if (!s) return null;
  if (s.includes('@')) return { email: s };
  const digits = s.replace(/[\s\-().\/+＋－（）\u3000]/g, '').replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  if (/^\d+$/.test(digits)) return digits.length >= 7 ? { phone: s } : null;
  if (/^[Cc]\d+$/.test(s)) return null;
  return { name: s };
}

function phonesText(c) {
  return (c.phones || []).map((p) => p.number).join(', ');
}

function Reasons({ reasons }) {
  return html`<span class="cust-why">${reasons.map((r) => t('cust.reason.' + r)).join(' · ')}</span>`;
}

function CustomerRow({ c, badge, why }) {
  return html`
    <li><a class="cust-item" href=${'#/customers/' + c.code} data-code=${c.code}>
      <span class="cust-name">${c.name}</span>
      <span class="cust-code">${c.code}</span>
      <span class="cust-ids">${[phonesText(c), (c.emails || []).join(', ')].filter(Boolean).join(' · ')}</span>
      ${badge}${why}
    </a></li>`;
}

// ---- search ----

function Search({ user }) {
  const [q, setQ] = useState(() => sessionStorage.getItem('cust.q') || '');
  const [state, setState] = useState({ matches: [], items: [], next: null, loading: false, error: null });
  const seq = useRef(0);
  const input = useRef(null);

  useEffect(() => { input.current?.focus(); }, []);
  useEffect(() => {
    sessionStorage.setItem('cust.q', q);
    const my = ++seq.current;
    const timer = setTimeout(async () => {
      setState((s) => ({ ...s, loading: true, error: null }));
      try {
        const probe = classify(q);
        const [m, list] = await Promise.all([
          probe ? api.get('/customers/match', { query: probe }).catch((e) => (e.status === 422 ? { matches: [] } : Promise.reject(e))) : { matches: [] },
          OUTLET.includes(user.role) ? { items: [], next_cursor: null }
            : api.get('/customers', { query: { q: q.trim(), limit: 20 } }),
        ]);
        if (my !== seq.current) return;
        setState({ matches: m.matches, items: list.items, next: list.next_cursor, loading: false, error: null });
      } catch (error) {
        if (my === seq.current) setState((s) => ({ ...s, loading: false, error }));
      }
    }, q.trim() ? 150 : 0);
    return () => clearTimeout(timer);
  }, [q]);

  async function more() {
    try {
      const list = await api.get('/customers', { query: { q: q.trim(), limit: 20, cursor: state.next } });
      setState((s) => ({ ...s, items: [...s.items, ...list.items], next: list.next_cursor }));
    } catch (error) { setState((s) => ({ ...s, error })); }
  }

  const shown = new Set(state.matches.map((m) => m.customer.code));
  const rest = state.items.filter((c) => !shown.has(c.code));
  const actions = WRITE.includes(user.role)
    ? html`<a class="btn btn-primary" href="#/customers/new" data-testid="cust-new">${t('cust.new')}</a>` : null;
  return html`
    <${Page} title=${t('nav.customers')} actions=${actions}>
      <div class="cust-search">
        <${Field} label=${t('cust.search.label')} name="q" hint=${t('cust.search.hint')}>
          <input class="input" type="search" value=${q} ref=${input} autocomplete="off" data-testid="cust-search"
            placeholder=${t('cust.search.placeholder')} onInput=${(e) => setQ(e.currentTarget.value)} />
        </${Field}>
        <${ErrorBanner} error=${state.error} />
        ${state.matches.length ? html`
          <h2 class="section-title">${t('cust.matches')}</h2>
          <ul class="cust-list" data-testid="cust-matches">
            ${state.matches.map((m) => html`<${CustomerRow} key=${m.customer.code} c=${m.customer}
              badge=${html`<span class=${'cust-badge ' + m.strength}>${t('cust.' + m.strength)}</span>`}
              why=${html`<${Reasons} reasons=${m.reasons} />`} />`)}
          </ul>` : null}
        ${rest.length ? html`
          <h2 class="section-title">${t('cust.results')}</h2>
          <ul class="cust-list" data-testid="cust-results">
            ${rest.map((c) => html`<${CustomerRow} key=${c.code} c=${c}
              why=${html`<span class="cust-why">${t('cust.how.' + c.matched_on)}</span>`} />`)}
          </ul>
          <div class="cust-actions">
            ${state.next ? html`<${Button} variant="secondary" onClick=${more}>${t('cust.more')}</${Button}>` : null}
            <${DownloadLinks} path="/customers" params=${{ q: q.trim() }} name="customers" />
          </div>` : null}
        ${!state.loading && q.trim() && !state.matches.length && !rest.length
          ? html`<${Empty} title=${t('cust.none')}>${t('cust.none.body')}
              ${WRITE.includes(user.role) ? html`<div style="margin-top:10px"><a class="btn btn-primary" data-testid="cust-new-from-search"
                href=${'#/customers/new?' + new URLSearchParams(classify(q) || {})}>${t('cust.new')}</a></div>` : null}</${Empty}>` : null}
        ${state.loading ? html`<${Loading} />` : null}
      </div>
    </${Page}>`;
}

// ---- card ----

function Consents({ c, canEdit, onSaved }) {
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  async function set(channel, value) {
    setBusy(channel);
    setError(null);
    try {
      const v = value === 'yes' ? true : value === 'no' ? false : null;
      onSaved(await api.put(`/customers/${c.code}/consents`, { [channel]: v, source: 'staff app' }));
    } catch (e) { setError(e); }
    setBusy(null);
  }
  return html`
    <section class="cust-panel" data-testid="cust-consents">
      <h2>${t('cust.consents')}</h2>
      <${ErrorBanner} error=${error} />
      <div class="cust-consent">
        ${CHANNELS.map((ch) => {
          const v = c.consents?.[ch];
          const val = v === true ? 'yes' : v === false ? 'no' : 'unknown';
          return html`
            <label for=${'consent-' + ch}>${t('cust.consent.' + ch)}</label>
            ${canEdit ? html`<select id=${'consent-' + ch} class="input" value=${val} disabled=${busy === ch}
                onChange=${(e) => set(ch, e.currentTarget.value)}>
                ${['unknown', 'yes', 'no'].map((o) => html`<option value=${o} selected=${o === val}>${t('cust.consent.' + o)}</option>`)}
              </select>`
              : html`<span id=${'consent-' + ch}>${t('cust.consent.' + val)}</span>`}`;
        })}
      </div>
    </section>`;
}

// The customer's own events in the current language; other capabilities' summaries as sent.
function eventText(it) {
  if (it.kind === 'repair') {
    // "delivered · model · fault": the status in the current language
    const [first, ...rest] = (it.summary || '').split(' · ');
    return STATUSES.includes(first) ? [t('rs.' + first), ...rest].join(' · ') : it.summary || '';
  }
  if (it.kind !== 'customer') return it.summary || '';
  const d = it.detail || {};
  const key = 'cust.act.' + it.action;
  const val = d.to === true ? 'yes' : d.to === false ? 'no' : 'unknown';
  const fieldName = (f) => t({ phones: 'cust.phones', emails: 'cust.emails' }[f] || 'cust.' + f);
  const text = t(key, {
    fields: (d.fields || []).map(fieldName).join(', '),
    channel: d.channel ? t('cust.consent.' + d.channel) : '',
    value: t('cust.consent.' + val),
    code: d.duplicate || d.survivor || '',
  });
  return (text === key ? it.summary : text) + (it.actor ? ' · ' + t('cust.by', { actor: it.actor }) : '');
}

// A repair or a warranty registration on the timeline opens its own page.
function historyLink(it) {
  const href = { repair: '#/repairs/', warranty: '#/warranty/', complaint: '#/complaints/', survey: '#/surveys/' }[it.kind] || null;
  return href ? html`<a href=${href + encodeURIComponent(it.code)}>${it.code}</a>` : it.code;
}

// A panel of the card listing what a list route gave: its title, the error,
// a spinner while loading, `none` when empty, else the list (children) with
// its CSV and XLSX downloads.
function ListPanel({ testid, title, state, none, downloads, children }) {
  const { items, error } = state;
  return html`
    <section class="cust-panel" data-testid=${testid}>
      <h2>${title}</h2>
      <${ErrorBanner} error=${error} />
      ${!items && !error ? html`<${Loading} />` : null}
      ${items && !items.length ? html`<p class="muted">${none}</p>` : null}
      ${items && items.length ? html`${children}<div class="cust-actions"><${DownloadLinks} ...${downloads} /></div>` : null}
    </section>`;
}

function Timeline({ code }) {
  const state = useItems(`/customers/${code}/history`, undefined, code);
  const { items } = state;
  return html`
    <${ListPanel} testid="cust-history" title=${t('cust.history')} state=${state} none=${t('cust.history.empty')}
      downloads=${{ path: `/customers/${code}/history`, name: 'history' }}>
      <ol class="cust-timeline">
        ${(items || []).map((it, i) => html`<li key=${i}>
          <span>${formatDateTime(it.at)}</span>
          <span>${t('cust.kind.' + it.kind) === 'cust.kind.' + it.kind ? it.kind : t('cust.kind.' + it.kind)}</span>
          <span data-action=${it.action || it.kind}>${it.code && it.kind !== 'customer' ? html`<strong>${historyLink(it)}</strong> ` : null}${eventText(it)}</span>
        </li>`)}
      </ol>
    </${ListPanel}>`;
}

// The customer's products with their warranty, each with a shortcut to register a repair.
function Units({ code, canRepair }) {
  const state = useItems('/units', { customer: code, limit: 100 }, code);
  const status = (u) => (!u.warranty_until ? t('cust.unit.unregistered')
    : t('cust.unit.until', { date: u.warranty_until }) + ' · ' + (u.in_warranty ? t('cust.unit.in') : t('cust.unit.out')));
  return html`
    <${ListPanel} testid="cust-units" title=${t('cust.units')} state=${state} none=${t('cust.units.empty')}
      downloads=${{ path: '/units', params: { customer: code }, name: 'units' }}>
      <ul class="cust-units">
        ${(state.items || []).map((u) => html`<li key=${u.serial} data-serial=${u.serial}>
          <span class="cust-unit-main">${u.model?.name || u.model?.code} · <a href=${'#/warranty/' + encodeURIComponent(u.serial)}>${u.serial}</a>
            <br /><span class=${u.in_warranty ? '' : 'muted'}>${status(u)}</span></span>
          ${canRepair ? html`<a class="btn btn-secondary" data-testid="cust-unit-repair"
            href=${`#/repairs/new?customer=${code}&serial=${encodeURIComponent(u.serial)}`}>${t('cust.unit.repair')}</a>` : null}
        </li>`)}
      </ul>
    </${ListPanel}>`;
}

function EraseDialog({ c, onDone, onClose }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const ref = useRef(null);
  useEffect(() => { ref.current?.showModal?.(); }, []);
  async function go(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/customers/${c.code}/erase`, { reason });
      onDone();
    } catch (err) { setError(err); setBusy(false); }
  }
  return html`
    <dialog class="cust-dialog" ref=${ref} onClose=${onClose} data-testid="cust-erase-dialog">
      <form onSubmit=${go} novalidate>
        <h2>${t('cust.erase')} · ${c.name} (${c.code})</h2>
        <${Notice} tone="warning">${t('cust.erase.warning')}</${Notice}>
        <${ErrorBanner} error=${error} />
        <${Field} label=${t('cust.erase.reason')} name="reason" value=${reason} required
          error=${error?.fields?.reason} onInput=${(e) => setReason(e.currentTarget.value)} />
        <div class="cust-actions">
          <${Button} type="submit" variant="danger" busy=${busy}>${t('cust.erase.confirm')}</${Button}>
          <${Button} variant="secondary" onClick=${onClose}>${t('common.cancel')}</${Button}>
        </div>
      </form>
    </dialog>`;
}

function Card({ user, code }) {
  const [c, setC] = useState(null);
  const [error, setError] = useState(null);
  const [erasing, setErasing] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setC(null);
    setError(null);
    api.get(`/customers/${code}`).then((x) => live && setC(x), (e) => live && setError(e));
    return () => { live = false; };
  }, [code, attempt]);
  if (error?.status === 410) {
    return html`<${Page} title=${code}><${Notice} title=${t('cust.erased')} /></${Page}>`;
  }
  if (error) return html`<${Page} title=${code}><${ErrorBanner} error=${error} onRetry=${() => setAttempt(attempt + 1)} /></${Page}>`;
  if (!c) return html`<${Loading} />`;
  const canEdit = WRITE.includes(user.role);
  const isAdmin = ADMIN.includes(user.role);
  async function exportJson() {
    try {
      const data = await api.get(`/customers/${c.code}/export`);
      downloadText(`customer-${c.code}.json`, JSON.stringify(data, null, 2), 'application/json');
    } catch (e) { setError(e); }
  }
  const canRepair = REPAIR.includes(user.role);
  const actions = html`
    ${canRepair ? html`<a class="btn btn-primary" href=${`#/repairs/new?customer=${c.code}`} data-testid="cust-new-repair">${t('cust.new_repair')}</a>` : null}
    ${WARRANTY.includes(user.role) ? html`<a class="btn btn-secondary" href=${`#/warranty?customer=${c.code}`} data-testid="cust-new-warranty">${t('cust.new_warranty')}</a>` : null}
    ${WRITE.includes(user.role) ? html`<a class="btn btn-secondary" href=${`#/complaints/new?customer=${c.code}`} data-testid="cust-new-complaint">${t('cust.new_complaint')}</a>` : null}
    ${canEdit ? html`<a class="btn btn-secondary" href=${`#/customers/${c.code}/edit`} data-testid="cust-edit">${t('cust.edit')}</a>` : null}
    ${isAdmin ? html`<a class="btn btn-secondary" href=${`#/customers/${c.code}/merge`} data-testid="cust-merge">${t('cust.merge')}</a>` : null}
    ${canEdit ? html`<${Button} variant="secondary" onClick=${exportJson}>${t('cust.export')}</${Button}>` : null}
    ${isAdmin ? html`<${Button} variant="danger" onClick=${() => setErasing(true)}>${t('cust.erase')}</${Button}>` : null}`;
  return html`
    <${Page} title=${html`<span data-testid="cust-card-name">${c.name}</span> <span class="muted" data-testid="cust-card-code">${c.code}</span>`} actions=${actions}>
      ${c.resolved_from ? html`<${Notice}>${t('cust.resolved_from', { code: c.resolved_from })}</${Notice}>` : null}
      <div class="cust-grid">
        <section class="cust-panel" data-testid="cust-identities">
          <dl class="cust-dl">
            <dt>${t('cust.phones')}</dt>
            <dd>${(c.phones || []).map((p) => html`<div key=${p.number}>${p.number} <span class="muted">${t('cust.' + p.kind)}</span></div>`)}</dd>
            <dt>${t('cust.emails')}</dt><dd>${(c.emails || []).map((e) => html`<div key=${e}>${e}</div>`)}</dd>
            <dt>${t('cust.region')}</dt><dd>${c.region || ''}</dd>
            <dt>${t('cust.address')}</dt><dd>${c.address || ''}</dd>
            <dt>${t('cust.lang')}</dt><dd data-lang=${c.lang}>${t('cust.lang.' + (c.lang || 'zh-CN'))}</dd>
            <dt>${t('cust.created')}</dt><dd>${formatDateTime(c.created_at)}</dd>
            <dt>${t('cust.updated')}</dt><dd>${formatDateTime(c.updated_at)}</dd>
            ${c.merged_codes?.length ? html`<dt>${t('cust.merged_codes')}</dt><dd>${c.merged_codes.join(', ')}</dd>` : null}
          </dl>
        </section>
        <${Consents} c=${c} canEdit=${canEdit} onSaved=${setC} />
        ${canRepair ? html`<${Units} key=${c.version} code=${c.code} canRepair=${canRepair} />` : null}
      </div>
      ${OUTLET.includes(user.role) ? null
        : html`<div style="margin-top:16px"><${Timeline} key=${c.version} code=${c.code} /></div>`}
      ${erasing ? html`<${EraseDialog} c=${c} onClose=${() => setErasing(false)}
        onDone=${() => { setErasing(false); setAttempt(attempt + 1); }} />` : null}
    </${Page}>`;
}

// ---- create / edit ----

const split = (s) => s.split(/[,;，；]/).map((x) => x.trim()).filter(Boolean);

// prefill: what the agent searched for (?phone= / ?email= / ?name=) when nobody matched.
function Form({ code, prefill }) {
  const editing = !!code;
  const [v, setV] = useState(() => ({ name: prefill?.get('name') || '', phone: prefill?.get('phone') || '', phone2: '',
    email: prefill?.get('email') || '', region: '', address: '', lang: 'zh-CN' }));
  const [version, setVersion] = useState(null);
  const [loading, setLoading] = useState(editing);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!editing) return;
    api.get(`/customers/${code}`).then((c) => {
      const phones = (c.phones || []).map((p) => p.number);
      setV({ name: c.name, phone: phones[0] || '', phone2: phones.slice(1).join(', '),
        email: (c.emails || []).join(', '), region: c.region || '', address: c.address || '', lang: c.lang || 'zh-CN' });
      setVersion(c.version);
      setLoading(false);
    }, (e) => { setError(e); setLoading(false); });
  }, [code]);
  const set = (k) => (e) => setV({ ...v, [k]: e.currentTarget.value });

  async function save(e, force = false) {
    e?.preventDefault?.();
    setBusy(true);
    setError(null);
    const phones = [v.phone.trim(), ...split(v.phone2)].filter(Boolean);
    const emails = split(v.email);
    const body = { name: v.name, region: v.region.trim() || null, address: v.address.trim() || null, lang: v.lang };
    if (editing) Object.assign(body, { version, phones, emails });
    else Object.assign(body, { phone: v.phone.trim() || null, phones: split(v.phone2), email: emails[0] || null, emails: emails.slice(1) });
    if (force) body.force = true;
    try {
      const c = editing ? await api.patch(`/customers/${code}`, body) : await api.post('/customers', body);
      location.hash = '#/customers/' + c.code;
    } catch (err) { setError(err); setBusy(false); }
  }

  if (loading) return html`<${Loading} />`;
  const f = error?.fields || {};
  const dup = error?.code === 'duplicate' ? error.body?.matches || [] : null;
  return html`
    <${Page} title=${editing ? `${t('cust.edit')} · ${code}` : t('cust.new')}>
      <form class="cust-form" onSubmit=${save} novalidate data-testid="cust-form">
        ${dup ? null : html`<${ErrorBanner} error=${error?.code === 'stale_version' ? t('cust.stale') : error} />`}
        <${Field} label=${t('cust.name')} name="name" value=${v.name} required error=${f.name} onInput=${set('name')} />
        <${Field} label=${t('cust.phone')} name="phone" value=${v.phone} inputmode="tel" error=${f.phone || (editing ? f.phones : null)} onInput=${set('phone')} />
        <${Field} label=${t('cust.phone2')} name="phone2" value=${v.phone2} hint=${t('cust.phone2.hint')} error=${editing ? null : f.phones} onInput=${set('phone2')} />
        <${Field} label=${t('cust.email')} name="email" value=${v.email} type="text" inputmode="email" hint=${t('cust.email.hint')} error=${f.email || f.emails} onInput=${set('email')} />
        <${Field} label=${t('cust.region')} name="region" value=${v.region} hint=${t('cust.region.hint')} error=${f.region} onInput=${set('region')} />
        <${Field} label=${t('cust.address')} name="address" value=${v.address} as="textarea" rows="2" error=${f.address} onInput=${set('address')} />
        <${Field} label=${t('cust.lang')} name="lang" as="select" value=${v.lang} hint=${t('cust.lang.hint')} error=${f.lang} onChange=${set('lang')}
          options=${['zh-CN', 'en'].map((l) => ({ value: l, label: t('cust.lang.' + l) }))} />
        ${dup ? html`
          <div class="notice notice-warning" role="alert" data-testid="cust-duplicate">
            <h2 class="notice-title">${t('cust.dup.title')}</h2>
            <div class="notice-body">${t('cust.dup.body')}</div>
            <ul class="cust-list">${dup.map((m) => html`<${CustomerRow} key=${m.customer.code} c=${m.customer}
              badge=${html`<span class=${'cust-badge ' + m.strength}>${t('cust.' + m.strength)}</span>`}
              why=${html`<${Reasons} reasons=${m.reasons} />`} />`)}</ul>
            <${Button} variant="secondary" busy=${busy} onClick=${(e) => save(e, true)} data-testid="cust-force">
              ${editing ? t('cust.force.save') : t('cust.force')}</${Button}>
          </div>` : null}
        <div class="cust-actions">
          <${Button} type="submit" busy=${busy}>${editing ? t('cust.save') : t('cust.create')}</${Button}>
          <a class="btn btn-ghost" href=${editing ? '#/customers/' + code : '#/customers'}>${t('common.cancel')}</a>
          ${error?.code === 'stale_version' ? html`<${Button} variant="secondary" onClick=${() => location.reload()}>${t('cust.reload')}</${Button}>` : null}
        </div>
      </form>
    </${Page}>`;
}

// ---- merge ----

function Merge({ code }) {
  const [survivor, setSurvivor] = useState(null);
  const [dupCode, setDupCode] = useState('');
  const [dup, setDup] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { api.get(`/customers/${code}`).then(setSurvivor, setError); }, [code]);
  async function load(e) {
    e.preventDefault();
    setError(null);
    setDup(null);
    try { setDup(await api.get(`/customers/${dupCode.trim()}`)); } catch (err) { setError(err); }
  }
  async function merge() {
    setBusy(true);
    setError(null);
    try {
      const c = await api.post(`/customers/${survivor.code}/merge`,
        { duplicate: dup.code, version: survivor.version, duplicate_version: dup.version });
      location.hash = '#/customers/' + c.code;
    } catch (err) { setError(err); setBusy(false); }
  }
  if (!survivor && !error) return html`<${Loading} />`;
  const rows = [
    ['cust.code', (c) => c.code], ['cust.name', (c) => c.name], ['cust.phones', phonesText],
    ['cust.emails', (c) => (c.emails || []).join(', ')], ['cust.region', (c) => c.region || ''],
    ['cust.address', (c) => c.address || ''], ['cust.created', (c) => formatDateTime(c.created_at)],
  ];
  return html`
    <${Page} title=${t('cust.merge.title', { code })}>
      <${ErrorBanner} error=${error} />
      <form onSubmit=${load} class="inline-form" novalidate>
        <${Field} label=${t('cust.merge.dup')} name="duplicate" value=${dupCode} error=${error?.fields?.duplicate}
          onInput=${(e) => setDupCode(e.currentTarget.value)} />
        <${Button} type="submit" variant="secondary">${t('cust.merge.load')}</${Button}>
      </form>
      ${survivor && dup ? html`
        <p class="muted">${t('cust.merge.explain')}</p>
        <div class="table-wrap"><table class="cust-compare" data-testid="cust-compare">
          <thead><tr><th>${t('cust.field')}</th><th>${t('cust.merge.keep')}</th><th>${t('cust.merge.drop')}</th></tr></thead>
          <tbody>${rows.map(([k, f]) => html`<tr key=${k}><th scope="row">${t(k)}</th><td>${f(survivor)}</td><td>${f(dup)}</td></tr>`)}</tbody>
        </table></div>
        <div class="cust-actions">
          <${Button} variant="danger" busy=${busy} onClick=${merge} data-testid="cust-merge-go">${t('cust.merge.go')}</${Button}>
          <a class="btn btn-ghost" href=${'#/customers/' + code}>${t('common.cancel')}</a>
        </div>` : null}
    </${Page}>`;
}

export default function Customers({ user, params, query }) {
  useStyle();
  const [first, second] = params || [];
  if (!first) return html`<${Search} user=${user} />`;
  if (first === 'new') return html`<${Form} prefill=${query} />`;
  if (second === 'edit') return html`<${Form} key=${first} code=${first} />`;
  if (second === 'merge') return html`<${Merge} key=${first} code=${first} />`;
  return html`<${Card} key=${first} user=${user} code=${first} />`;
}
