// @ts-check
'use strict';

/** `Authorization: Key <apiKey>` checks, and header redaction for emu.calls. */

const { timingSafeEqual } = require('node:crypto');

/**
 * @param {string | undefined} header  the Authorization header
 * @param {{ apiKey: string, adminKey?: string }} keys  the API-scope key and the ADMIN-scope one (if any)
 * @returns {{ ok: true, scope: 'API' | 'ADMIN' } | { ok: false, detail: string }}
 */
function checkAuth(header, keys) {
  if (!header || !header.trim()) {
    return { ok: false, detail: 'Missing authorization header. Send "Authorization: Key <your fal key>".' };
  }
  const m = /^(\S+)\s+(.+)$/.exec(header.trim());
  if (!m || m[1].toLowerCase() !== 'key') {
    return { ok: false, detail: 'Invalid authorization header: the scheme must be "Key".' };
  }
  const given = Buffer.from(m[2].trim());
  const same = (/** @type {string | undefined} */ key) => {
    const want = Buffer.from(key || '');
    return want.length > 0 && given.length === want.length && timingSafeEqual(given, want);
  };
  if (same(keys.adminKey)) return { ok: true, scope: 'ADMIN' };
  if (same(keys.apiKey)) return { ok: true, scope: 'API' };
  return { ok: false, detail: 'Invalid API key. Check the key, or create a new one.' };
}

/**
 * Lower-case header copy for emu.calls: the Authorization value becomes '<scheme> ***' ('Key ***'), and the
 * keys are masked wherever else they appear.
 * @param {import('node:http').IncomingHttpHeaders} headers @param {string[]} keys
 * @returns {Record<string, string>}
 */
function redactHeaders(headers, keys) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    let value = Array.isArray(v) ? v.join(', ') : String(v);
    if (k === 'authorization') {
      const scheme = value.trim().split(/\s+/)[0] || '';
      value = value.trim().includes(' ') ? `${scheme} ***` : '***';
    } else {
      for (const key of keys) if (key && value.includes(key)) value = value.split(key).join('***');
    }
    out[k.toLowerCase()] = value;
  }
  return out;
}

module.exports = { checkAuth, redactHeaders };
