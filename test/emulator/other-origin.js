// @ts-check
'use strict';

/**
 * "Another host": a second listener on 127.0.0.1 (another port, so another origin) that answers every request
 * 200 `{}` and records it, with whether an Authorization header came (never its value). Tests redirect a client
 * there (e.g. a 307 fault whose location is emu.otherUrl + '/x') to prove the key does not follow cross-origin.
 * Each request also goes to the raw record (raw.js: headers unredacted, in-process tests only).
 */

const http = require('node:http');
const { once } = require('node:events');
const { recordRequest } = require('./raw');

/**
 * @typedef {object} OtherCall
 * @property {string} method
 * @property {string} path      path and query
 * @property {boolean} authorization  an Authorization header was present
 * @property {number} at
 */

/**
 * @param {import('./raw').RawRequest[]} [raw]  the raw record to add to (the emulator's, shared with its main origin)
 * @returns {Promise<{ url: string, calls: OtherCall[], close: () => Promise<void> }>}
 */
async function startOtherOrigin(raw = []) {
  /** @type {OtherCall[]} */
  const calls = [];
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  let url = '';
  const server = http.createServer((req, res) => {
    recordRequest(raw, req, { origin: 'other', baseUrl: url, route: 'other' });
    calls.push({ method: req.method || 'GET', path: req.url || '/', authorization: req.headers.authorization !== undefined, at: Date.now() });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
      res.end('{}');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    calls,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

module.exports = { startOtherOrigin };
