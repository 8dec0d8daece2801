// The first sheet's header row of a downloaded XLSX, read with unzip and the sheet XML
// (no spreadsheet library): shared by the e2e download checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const unzip = (file, member) => execFileSync('unzip', ['-p', file, member], { maxBuffer: 256 << 20 }).toString();

const unxml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&#(\d+);/g, (m, n) => String.fromCodePoint(Number(n)))
  .replace(/&#x([0-9a-fA-F]+);/g, (m, n) => String.fromCodePoint(parseInt(n, 16))).replace(/&amp;/g, '&');

// The text of every <t> in a piece of XML, joined (a shared string may be in runs).
const texts = (xml) => [...xml.matchAll(/<t(?:\s[^>]*)?>([^<]*)<\/t>/g)].map((m) => unxml(m[1])).join('');

// The first sheet's header row (a report such as coverage may add sheets after it): the texts of row 1's cells in column order, and
// whether each is bold (through its style's font in xl/styles.xml).
export function xlsxHeader(file) {
  const list = execFileSync('unzip', ['-l', file]).toString();
  assert.match(list, /xl\/worksheets\/sheet1\.xml/);
  const sheet = unzip(file, 'xl/worksheets/sheet1.xml');
  const shared = /xl\/sharedStrings\.xml/.test(list)
    ? [...unzip(file, 'xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1])) : [];
  const styles = /xl\/styles\.xml/.test(list) ? unzip(file, 'xl/styles.xml') : '';
  const fonts = [...(/<fonts[^>]*>([\s\S]*?)<\/fonts>/.exec(styles)?.[1] || '').matchAll(/<font[\s>][\s\S]*?<\/font>|<font\/>/g)]
    .map((m) => /<b\/>|<b\s+val="(1|true)"/.test(m[0]));
  const xfs = [...(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] || '').matchAll(/<xf\b[^>]*>/g)]
    .map((m) => Number(/fontId="(\d+)"/.exec(m[0])?.[1] || 0));
  const row1 = /<row\b[^>]*\br="1"[^>]*>([\s\S]*?)<\/row>/.exec(sheet);
  assert.ok(row1, 'the sheet has a row 1');
  const cells = [...row1[1].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)].map((m) => {
    const attrs = m[1], body = m[2] || '';
    const type = /\bt="([^"]+)"/.exec(attrs)?.[1];
    const v = /<v>([^<]*)<\/v>/.exec(body)?.[1];
    const text = type === 's' ? shared[Number(v)] : type === 'inlineStr' ? texts(body) : unxml(v ?? '');
    const style = Number(/\bs="(\d+)"/.exec(attrs)?.[1] || 0);
    return { ref: /\br="([A-Z]+)1"/.exec(attrs)?.[1], text, bold: !!fonts[xfs[style]] };
  });
  return cells;
}
