// The survey page a customer reaches from the signed single-use link of an email or
// SMS (/portal/survey.html#<token>), without login, sized for a phone: the four seed
// questions on 1-5, NPS 0-10 and free text when the template asks them, in zh-CN or
// en. A used or expired link says so (410); a tampered one is "not found" (404).
import { linkPage, esc } from './link-page.js';

const QUESTIONS = ['first_impression', 'repair_time', 'attitude', 'overall'];

function scale(t, name, from, to, lowKey, highKey) {
  const opts = [];
  for (let i = from; i <= to; i++)
    opts.push(`<label><input type="radio" name="${name}" value="${i}"><span>${i}</span></label>`);
  return `<div class="scale">${opts.join('')}</div><div class="ends"><span>${t(lowKey)}</span><span>${t(highKey)}</span></div>`;
}

function form(page) {
  const { t, root } = page;
  const tpl = page.data.template, l = page.lang === 'en' ? 'en' : 'zh';
  const text = (k) => esc(tpl.texts[k]?.[l] ?? k);
  root.innerHTML = `<form novalidate>
    <p>${esc(t('intro'))}</p>
    ${QUESTIONS.map((q) => `<fieldset data-q="${q}"><legend>${text(q)}</legend>${scale(t, q, 1, 5, 'low', 'high')}</fieldset>`).join('')}
    ${tpl.nps ? `<fieldset data-q="nps"><legend>${text('nps')}</legend>${scale(t, 'nps', 0, 10, 'nps_low', 'nps_high')}</fieldset>` : ''}
    ${tpl.free_text ? `<fieldset data-q="comment"><legend>${text('comment')}</legend><textarea name="comment" maxlength="2000"></textarea></fieldset>` : ''}
    <p class="err" role="alert" hidden></p>
    <button type="submit" class="send">${esc(t('send'))}</button>
  </form>`;
  root.querySelector('form').addEventListener('submit', (e) => submit(page, e));
}

async function submit(page, e) {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = {};
  for (const q of QUESTIONS) if (f.get(q)) body[q] = Number(f.get(q));
  if (f.get('nps')) body.nps = Number(f.get('nps'));
  if (f.get('comment')) body.comment = String(f.get('comment')).trim();
  const err = page.root.querySelector('.err');
  if (QUESTIONS.some((q) => !body[q]) || (await page.send(body)) === 422) { err.textContent = page.t('required'); err.hidden = false; }
}

linkPage({
  messages: {
    title: ['满意度调查', 'Satisfaction survey'],
    intro: ['感谢您选择我们的服务，请花一分钟告诉我们您的感受。', 'Thank you for choosing our service; please take a minute to tell us how it went.'],
    low: ['非常不满意', 'Very dissatisfied'],
    high: ['非常满意', 'Very satisfied'],
    nps_low: ['不可能', 'Not at all likely'],
    nps_high: ['非常可能', 'Extremely likely'],
    send: ['提交', 'Send'],
    required: ['请为每个问题打分。', 'Please score every question.'],
    thanks: ['感谢您的反馈！', 'Thank you for your feedback!'],
    gone: ['这个调查链接已经使用过或已过期。', 'This survey link was used already or has expired.'],
    missing: ['没有找到这个调查，请检查链接是否完整。', 'No such survey; check that the link is complete.'],
    network: ['无法连接服务器，请检查网络。', 'Cannot reach the server; check your network.'],
  },
  route: '/api/v1/public/surveys',
  root: document.getElementById('survey'),
  form,
});
