// The two core message catalogs of the staff app stay in step: same keys,
// no empty messages, and every stable API error code translated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import zh from '../../web/i18n/zh-CN.js';
import en from '../../web/i18n/en.js';

const API_ERROR_CODES = ['bad_json', 'validation_failed', 'body_too_large', 'not_found',
  'forbidden', 'unauthenticated', 'invalid_credentials', 'rate_limited', 'conflict',
  'stale_version', 'duplicate', 'internal'];
const ROLES = ['admin', 'supervisor', 'agent', 'outlet_manager', 'technician', 'warehouse',
  'editor', 'marketer'];

test('zh-CN and en have the same keys', () => {
  const onlyZh = Object.keys(zh).filter((k) => !(k in en));
  const onlyEn = Object.keys(en).filter((k) => !(k in zh));
  assert.deepEqual({ onlyZh, onlyEn }, { onlyZh: [], onlyEn: [] });
});

test('no message is empty', () => {
  for (const [name, cat] of Object.entries({ zh, en })) {
    for (const [k, v] of Object.entries(cat)) {
      assert.ok(typeof v === 'string' && v.trim() !== '', `${name} ${k} is empty`);
    }
  }
});

test('every API error code and role is translated', () => {
  for (const cat of [zh, en]) {
    for (const code of API_ERROR_CODES) assert.ok(cat['error.' + code], `error.${code}`);
    for (const role of ROLES) assert.ok(cat['role.' + role], `role.${role}`);
  }
});

test('placeholders match between the languages', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(zh)) {
    if (k in en) assert.deepEqual(names(zh[k]), names(en[k]), k);
  }
});
