// @ts-check
'use strict';

/**
 * The webhook side of the live test: a receiver on 127.0.0.1 (for fal, the port a public URL the maintainer controls
 * forwards to, e.g. a tunnel) that records every delivery as it came, and the signature check (the node's own, which
 * follows fal's docs: Ed25519 over `request_id \n user_id \n timestamp \n sha256_hex(raw body)`, keys from a JWKS,
 * ±300 s of leeway).
 */

const http = require('node:http');
const { once } = require('node:events');
const { performance } = require('node:perf_hooks');
const { signedParts, timestampProblem, verifiedByAny, TIMESTAMP_WINDOW_SECONDS } = require('../../dist/fal/webhook-signature');

const HEADERS = ['x-fal-webhook-request-id', 'x-fal-webhook-user-id', 'x-fal-webhook-timestamp', 'x-fal-webhook-signature'];

/**
 * @typedef {object} Delivery
 * @property {number} at       performance.now() when it arrived
 * @property {number} wallAt   Date.now() when it arrived
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} headers  lower-case
 * @property {Buffer} raw
 * @property {any} json
 */

/**
 * Listens on 127.0.0.1:port (0: any free port).
 * @param {number} port
 * @returns {Promise<{ url: string, deliveries: Delivery[], waitFor: (requestId: string, ms: number) => Promise<Delivery[]>, close: () => Promise<void> }>}
 */
async function startReceiver(port) {
  /** @type {Delivery[]} */
  const deliveries = [];
  /** @type {Set<() => void>} */
  const waiting = new Set();
  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let json;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        json = undefined;
      }
      /** @type {Record<string, string>} */
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      deliveries.push({ at: performance.now(), wallAt: Date.now(), method: req.method || '', path: req.url || '', headers, raw, json });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const w of [...waiting]) w();
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    deliveries,
    /** The deliveries for this request id once one came (and a short while for a duplicate), or [] after ms. */
    waitFor(requestId, ms) {
      const mine = () => deliveries.filter((d) => d.json && d.json.request_id === requestId);
      return new Promise((resolve) => {
        /** @type {NodeJS.Timeout | undefined} */
        let settle;
        const check = () => {
          if (mine().length && !settle) settle = setTimeout(done, 2000);
        };
        const done = () => {
          waiting.delete(check);
          clearTimeout(limit);
          clearTimeout(settle);
          resolve(mine());
        };
        const limit = setTimeout(done, ms);
        waiting.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Checks one delivery with the node's own verifier (fal/webhook-signature.ts, as the Hailuo Trigger does), so that a
 * run against fal also tells whether the trigger accepts fal's real deliveries.
 * @param {Delivery} d @param {string} jwksUrl
 * @returns {Promise<{ headers: string, signature: string, timestamp: string, keys: string }>}
 */
async function checkSignature(d, jwksUrl) {
  const parts = signedParts(d.headers);
  const missing = HEADERS.filter((h) => !d.headers[h]);
  const headers = missing.length ? `missing ${missing.join(', ')}` : 'all four';
  const ts = d.headers['x-fal-webhook-timestamp'];
  const late = ts === undefined ? 'absent' : timestampProblem(ts, d.wallAt / 1000);
  const timestamp = late === undefined ? `within ${TIMESTAMP_WINDOW_SECONDS} s` : late;
  let jwks;
  try {
    const res = await fetch(jwksUrl, { signal: AbortSignal.timeout(30_000) });
    jwks = await res.json();
  } catch (e) {
    return { headers, timestamp, signature: 'not checked: no JWKS', keys: `JWKS unreadable (${e instanceof Error ? e.message : e})` };
  }
  const list = Array.isArray(jwks && jwks.keys) ? jwks.keys : [];
  const keys = `${list.length} key${list.length === 1 ? '' : 's'}${list.some((/** @type {any} */ k) => typeof k.x === 'string' && k.x.endsWith('=')) ? ' (x padded)' : ''}`;
  if ('missing' in parts) return { headers, timestamp, signature: `not checked: ${parts.missing}`, keys };
  return { headers, timestamp, signature: verifiedByAny(parts, d.raw, list) ? 'valid' : 'invalid', keys };
}

module.exports = { startReceiver, checkSignature, HEADERS };
