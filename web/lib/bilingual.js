// Message catalogs written as pairs so every key is written once, its Chinese
// and English side by side: byLang({key: ['中文', 'English']}) gives
// {'zh-CN': {key: '中文'}, en: {key: 'English'}}, the shape registerMessages()
// in ../i18n.js and the portal's catalog take. No imports: the portal uses it too.
export function byLang(pairs) {
  const out = { 'zh-CN': {}, en: {} };
  for (const [key, [zh, en]] of Object.entries(pairs)) {
    out['zh-CN'][key] = zh;
    out.en[key] = en;
  }
  return out;
}
