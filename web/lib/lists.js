// One way every list screen reads a list route: the first page for the screen's
// filters, more pages on demand (usePagedList), shown as a table with its
// "Load more" button and its CSV and XLSX downloads of all matching rows
// (PagedTable); a short list read once for a panel (useItems).
import { useState, useEffect, useCallback } from 'preact/hooks';
import * as api from '../api.js';
import { t } from '../i18n.js';
import { html, Button, ErrorBanner, Loading, Table } from '../ui.js';

// The list at `path` (relative to /api/v1) for `params`, `limit` rows a page.
// Reloads from the first page whenever params change (compared by value).
// items is null until the first page is there; more() appends the next page.
export function usePagedList(path, params, limit) {
  const key = JSON.stringify(params);
  const [items, setItems] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const load = useCallback(async (more) => {
    setError(null);
    try {
      const query = { limit, ...params };
      if (more && cursor) query.cursor = cursor;
      const r = await api.get(path, { query });
      setItems((prev) => (more && prev ? [...prev, ...r.items] : r.items));
      setCursor(r.next_cursor);
    } catch (e) { setError(e); }
  }, [path, key, limit, cursor]);
  useEffect(() => { load(false); }, [path, key]);
  return { items, error, hasMore: !!cursor, reload: () => load(false), more: () => load(true) };
}

// A list screen's table: the error with a retry, the rows, "Load more" while
// the server has more, and the downloads of the whole result (named `name`).
//   <${PagedTable} path="/outlets" params=${{ q, type }} limit=${100}
//     columns=${columns} name="outlets" />
export function PagedTable({ path, params, limit, columns, name, rowKey }) {
  const list = usePagedList(path, params, limit);
  return html`
    <${ErrorBanner} error=${list.error} onRetry=${list.reload} />
    ${list.items === null ? html`<${Loading} />` : html`
      <${Table} columns=${columns} rows=${list.items} rowKey=${rowKey}
        downloads=${{ path, params, name }} />
      ${list.hasMore ? html`<${Button} variant="secondary" onClick=${list.more}>${t('common.more')}</${Button}>` : null}`}`;
}

// The items of one list route read once (no paging) for a panel: {items,
// error}, items null until the first answer. Reads again when `key` changes;
// an answer that comes after a newer request started is dropped.
export function useItems(path, query, key) {
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    let live = true;
    api.get(path, { query }).then((r) => live && setState((s) => ({ ...s, items: r.items })),
      (error) => live && setState((s) => ({ ...s, error })));
    return () => { live = false; };
  }, [key]);
  return state;
}
