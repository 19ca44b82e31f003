// @ts-check
'use strict';

/** `Authorization: Key <apiKey>` checks, and header redaction for emu.calls. */

const { timingSafeEqual } = require('node:crypto');

/**
 * @param {string | undefined} header  the Authorization header
 * @param {string} apiKey
 * @returns {{ ok: true } | { ok: false, detail: string }}
 */
function checkAuth(header, apiKey) {
  if (!header || !header.trim()) {
    return { ok: false, detail: 'Missing authorization header. Send "Authorization: Key <your fal key>".' };
  }
  const m = /^(\S+)\s+(.+)$/.exec(header.trim());
  if (!m || m[1].toLowerCase() !== 'key') {
    return { ok: false, detail: 'Invalid authorization header: the scheme must be "Key".' };
  }
  const given = Buffer.from(m[2].trim());
  const want = Buffer.from(apiKey);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    return { ok: false, detail: 'Invalid API key. Check the key, or create a new one.' };
  }
  return { ok: true };
}

/**
 * Lower-case header copy for emu.calls: the Authorization value becomes '<scheme> ***' ('Key ***'), and the API
 * key is masked wherever else it appears.
 * @param {import('node:http').IncomingHttpHeaders} headers @param {string} apiKey
 * @returns {Record<string, string>}
 */
function redactHeaders(headers, apiKey) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    let value = Array.isArray(v) ? v.join(', ') : String(v);
    if (k === 'authorization') {
      const scheme = value.trim().split(/\s+/)[0] || '';
      value = value.trim().includes(' ') ? `${scheme} ***` : '***';
    } else if (apiKey && value.includes(apiKey)) {
      value = value.split(apiKey).join('***');
    }
    out[k.toLowerCase()] = value;
  }
  return out;
}

module.exports = { checkAuth, redactHeaders };
