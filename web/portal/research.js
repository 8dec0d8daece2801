// The market research questionnaire a customer reaches from the signed single-use link
// of an email or SMS (/portal/research.html#<token>), without login, sized for a
// phone, in zh-CN or en: single choice as radio buttons, multiple choice as check
// boxes, a scale as a row of numbers, text as a text box; required questions are
// checked before sending (the server checks again: 422). An answered link or a closed
// questionnaire says so (410); a tampered one is "not found" (404).
import { linkPage, esc } from './link-page.js';

function control(q, l) {
  const name = `q${q.no}`;
  if (q.kind === 'single' || q.kind === 'multiple') {
    const type = q.kind === 'single' ? 'radio' : 'checkbox';
    return `<div class="choices">${q.options.map((o) => `<label><input type="${type}" name="${name}" value="${o.no}"><span>${esc(o[l])}</span></label>`).join('')}</div>`;
  }
  if (q.kind === 'scale') {
    const opts = [];
    for (let i = q.min; i <= q.max; i++) opts.push(`<label><input type="radio" name="${name}" value="${i}"><span>${i}</span></label>`);
    return `<div class="scale">${opts.join('')}</div>`;
  }
  return `<textarea name="${name}" maxlength="2000"></textarea>`;
}

function form(page) {
  const { t, root, data } = page;
  const l = page.lang === 'en' ? 'en' : 'zh';
  root.innerHTML = `<form novalidate>
    <h2>${esc(data.title[l])}</h2>
    ${data.questions.map((q) => `<fieldset data-q="${q.no}" data-kind="${q.kind}"><legend>${q.no}. ${esc(q.text[l])}${q.required ? ' <span class="req">*</span>' : ''}</legend>${control(q, l)}</fieldset>`).join('')}
    <p class="err" role="alert" hidden></p>
    <button type="submit" class="send">${esc(t('send'))}</button>
  </form>`;
  root.querySelector('form').addEventListener('submit', (e) => submit(page, e));
}

/* The answers of the form: {"<no>": option | [options] | value | text}. */
function answersOf(questions, f) {
  const out = {};
  for (const q of questions) {
    const name = `q${q.no}`;
    if (q.kind === 'multiple') {
      const v = f.getAll(name).map(Number);
      if (v.length) out[q.no] = v;
    } else if (q.kind === 'text') {
      const v = String(f.get(name) || '').trim();
      if (v) out[q.no] = v;
    } else if (f.get(name) !== null) {
      out[q.no] = Number(f.get(name));
    }
  }
  return out;
}

async function submit(page, e) {
  e.preventDefault();
  const { questions } = page.data;
  const answers = answersOf(questions, new FormData(e.target));
  const err = page.root.querySelector('.err');
  const say = (k) => { err.textContent = page.t(k); err.hidden = false; };
  if (questions.some((q) => q.required && answers[q.no] === undefined)) return say('required');
  if ((await page.send({ answers })) === 422) say('invalid');
  return undefined;
}

linkPage({
  messages: {
    title: ['问卷调查', 'Questionnaire'],
    send: ['提交', 'Send'],
    required: ['请回答所有必答题 (*)。', 'Please answer every question marked *.'],
    invalid: ['有回答无效，请检查后再提交。', 'Some answers are not valid; please check them.'],
    thanks: ['感谢您参与调查！', 'Thank you for taking part!'],
    gone: ['这个问卷链接已经使用过，或调查已结束。', 'This questionnaire link was used already, or the survey is closed.'],
    missing: ['没有找到这个问卷，请检查链接是否完整。', 'No such questionnaire; check that the link is complete.'],
    network: ['无法连接服务器，请检查网络。', 'Cannot reach the server; check your network.'],
  },
  route: '/api/v1/public/research',
  root: document.getElementById('research'),
  form,
});
