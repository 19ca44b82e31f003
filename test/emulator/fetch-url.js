// @ts-check
'use strict';

/**
 * How the model's runner reads an input file URL: a `data:` URI is decoded; an http(s) URL is fetched for real, on
 * any host (redirects followed, one deadline for the whole fetch, at most maxBytes read). With no network, external
 * hosts fail fast (the name does not resolve).
 */

const http = require('node:http');
const https = require('node:https');

/** Marks the runner's own requests, so emu.calls can tell them from the client's. */
const RUNNER_HEADER = 'x-fal-emulator-runner';
const MAX_REDIRECTS = 5;

/**
 * @typedef {{ bytes: Buffer } | { tooLarge: number } | { error: string }} Fetched
 *   bytes: the whole file; tooLarge: it is at least maxBytes (the size seen so far); error: it could not be fetched
 */

/** @param {string} raw @returns {Fetched} */
function decodeDataUri(raw) {
  const m = /^data:([^,]*),(.*)$/is.exec(raw);
  if (!m) return { error: 'malformed data URI' };
  try {
    return { bytes: /;base64$/i.test(m[1]) ? Buffer.from(m[2], 'base64') : Buffer.from(decodeURIComponent(m[2]), 'latin1') };
  } catch {
    return { error: 'malformed data URI' };
  }
}

/**
 * @param {string} raw  the URL as the input gave it
 * @param {{ timeoutMs: number, maxBytes: number, signal?: AbortSignal }} opts
 * @returns {Promise<Fetched>}
 */
async function fetchUrl(raw, opts) {
  if (/^data:/i.test(raw)) return decodeDataUri(raw);
  let url;
  try {
    url = new URL(raw);
  } catch {
    return { error: 'invalid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `unsupported URL scheme ${url.protocol}` };
  const deadline = Date.now() + opts.timeoutMs;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const r = await get(url, deadline, opts);
    if (!('redirect' in r)) return r;
    try {
      url = new URL(r.redirect, url);
    } catch {
      return { error: 'invalid redirect location' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `redirect to unsupported scheme ${url.protocol}` };
  }
  return { error: 'too many redirects' };
}

/**
 * One GET.
 * @param {URL} url @param {number} deadline
 * @param {{ maxBytes: number, signal?: AbortSignal }} opts
 * @returns {Promise<Fetched | { redirect: string }>}
 */
function get(url, deadline, opts) {
  return new Promise((resolve) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    let settled = false;
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'fal-emulator-runner/1', accept: 'image/*,*/*;q=0.8', [RUNNER_HEADER]: '1' },
    });
    /** @param {Fetched | { redirect: string }} v */
    const settle = (v) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(v);
    };
    const onAbort = () => settle({ error: 'aborted' });
    const timer = setTimeout(() => settle({ error: 'timed out' }), Math.max(0, deadline - Date.now()));
    if (opts.signal?.aborted) {
      settle({ error: 'aborted' });
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => settle({ error: describe(e) }));
    req.on('response', (res) => {
      const status = res.statusCode || 0;
      if (status >= 300 && status < 400 && status !== 304 && res.headers.location) {
        settle({ redirect: res.headers.location });
        return;
      }
      if (status < 200 || status >= 300) {
        settle({ error: `HTTP ${status} ${res.statusMessage || ''}`.trim() });
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared >= opts.maxBytes) {
        settle({ tooLarge: declared });
        return;
      }
      res.on('data', (/** @type {Buffer} */ c) => {
        size += c.length;
        if (size >= opts.maxBytes) settle({ tooLarge: size });
        else chunks.push(c);
      });
      res.on('end', () => settle({ bytes: Buffer.concat(chunks) }));
      res.on('error', (e) => settle({ error: describe(e) }));
      res.on('aborted', () => settle({ error: 'connection closed before the end of the file' }));
    });
    req.end();
  });
}

/** @param {Error & { code?: string }} e */
function describe(e) {
  return e.code ? `${e.code}: ${e.message}` : e.message;
}

module.exports = { fetchUrl, decodeDataUri, RUNNER_HEADER };
