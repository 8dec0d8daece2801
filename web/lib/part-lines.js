// The editor of part lines (part number + quantity, one row a line, add and remove)
// shared by the quote form and the part request form. The caller keeps the lines;
// errors holds each line's reasons under field(i, 'part'|'qty').
import { t } from '../i18n.js';
import { html, Field, Button } from '../ui.js';

export const blankLine = () => ({ part: '', qty: '1' });

// lines, setLines: the rows; names(i, k): a control's name; field(i, k): its error key;
// labels: {part, qty, add, remove} message keys; addId: the add button's data-testid;
// rowAttr: the data attribute that numbers a row.
export function PartLines({ lines, setLines, errors, names, field, labels, addId, rowAttr }) {
  const setLine = (i, k) => (e) => setLines(lines.map((l, j) => (j === i ? { ...l, [k]: e.currentTarget.value } : l)));
  return html`
    ${lines.map((l, i) => html`<div key=${i} class="inline-form" ...${{ [rowAttr]: i }}>
      <${Field} label=${t(labels.part)} name=${names(i, 'part')} value=${l.part} onInput=${setLine(i, 'part')}
        autocapitalize="characters" spellcheck=${false} error=${errors[field(i, 'part')]} />
      <${Field} label=${t(labels.qty)} name=${names(i, 'qty')} type="number" min="1" value=${l.qty} onInput=${setLine(i, 'qty')}
        style="width:6em" error=${errors[field(i, 'qty')]} />
      ${lines.length > 1 ? html`<${Button} variant="ghost" onClick=${() => setLines(lines.filter((x, j) => j !== i))}>${t(labels.remove)}</${Button}>` : null}
    </div>`)}
    <${Button} variant="secondary" data-testid=${addId} onClick=${() => setLines([...lines, blankLine()])}>${t(labels.add)}</${Button}>`;
}
