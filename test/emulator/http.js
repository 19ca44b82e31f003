// @ts-check
'use strict';

/** Small HTTP helpers: JSON answers, request bodies, byte ranges and streaming a body with backpressure. */

const { STATUS_CODES } = require('node:http');

/** @typedef {import('node:http').IncomingMessage} Req */
/** @typedef {import('node:http').ServerResponse} Res */

const MAX_BODY_BYTES = 128 * 1024 * 1024;

/**
 * Reads the whole request body.
 * @param {Req} req @returns {Promise<Buffer>}
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('request body too large'), { statusCode: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}

/**
 * @param {Res} res @param {number} status @param {unknown} body @param {Record<string, string>} [headers]
 */
function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, STATUS_CODES[status] || 'Unknown', {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** @param {Res} res @param {number} status @param {Record<string, string>} [headers] */
function sendEmpty(res, status, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, STATUS_CODES[status] || 'Unknown', { ...headers, 'content-length': '0' });
  res.end();
}

/**
 * Parses a single `Range: bytes=...` header against a resource size.
 * @param {string | undefined} header @param {number} size
 * @returns {{ start: number, end: number } | 'unsatisfiable' | null}  null = serve the whole resource
 */
function parseRange(header, size) {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return null; // multiple ranges or junk: a 200 with the whole body is a valid answer
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start;
  let end;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return null;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

/**
 * @typedef {object} BodyFaults   how a body is sent (faults.js and the CDN's pace)
 * @property {number} [cutAfterBytes]    send this many body bytes, then destroy the socket (a broken download)
 * @property {number} [stallAfterBytes]  send this many body bytes, then nothing more, the socket left open
 * @property {number} [bytesPerSec]      pace the body at this rate (0 or undefined: as fast as the socket takes it)
 * @property {(ms: number) => Promise<void>} [sleep]  the pacing sleep (the emulator's clearable timers)
 */

/** Resolves true once the response drains, false when it closes first. @param {Res} res @returns {Promise<boolean>} */
function drained(res) {
  return new Promise((resolve) => {
    const onDrain = () => done(true);
    const onClose = () => done(false);
    /** @param {boolean} v */
    function done(v) {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(v);
    }
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/**
 * Writes chunks to the response with backpressure, then ends it; or cuts, stalls or paces it (BodyFaults).
 * @param {Res} res
 * @param {AsyncIterable<Buffer> | Iterable<Buffer>} chunks
 * @param {BodyFaults | number} [how]  a number is cutAfterBytes (the old signature)
 * @returns {Promise<number>} bytes written
 */
async function streamBody(res, chunks, how = {}) {
  const o = typeof how === 'number' ? { cutAfterBytes: how } : how;
  const limit = Math.min(o.cutAfterBytes ?? Infinity, o.stallAfterBytes ?? Infinity);
  const cut = o.cutAfterBytes !== undefined && o.cutAfterBytes <= (o.stallAfterBytes ?? Infinity);
  const rate = o.bytesPerSec && o.bytesPerSec > 0 ? o.bytesPerSec : 0;
  const slice = rate ? Math.max(1024, Math.floor(rate / 20)) : Infinity;
  const t0 = Date.now();
  let sent = 0;
  /** at the limit: cut (destroy once written) or stall (write nothing more, leave the socket open) */
  const stop = () => {
    if (cut) setImmediate(() => res.destroy());
    return sent;
  };
  if (limit <= 0) {
    res.flushHeaders();
    return stop();
  }
  for await (const chunk of chunks) {
    for (let off = 0; off < chunk.length;) {
      if (res.destroyed) return sent;
      const c = chunk.subarray(off, off + Math.min(slice, limit - sent));
      off += c.length;
      if (rate && o.sleep) {
        const due = t0 + ((sent + c.length) / rate) * 1000;
        if (due > Date.now()) await o.sleep(due - Date.now());
        if (res.destroyed) return sent;
      }
      sent += c.length;
      if (sent >= limit && cut) {
        res.write(c, () => res.destroy()); // destroy once the last bytes are out
        return sent;
      }
      const ok = res.write(c);
      if (sent >= limit) return sent; // stalled: nothing more, the socket stays open
      if (!ok && !(await drained(res))) return sent;
    }
  }
  if (!res.destroyed) res.end();
  return sent;
}

/**
 * Serves a resource of known size with Range support (200 / 206 / 416), HEAD included.
 * @param {import('node:http').IncomingMessage} req
 * @param {Res} res
 * @param {object} opts
 * @param {number} opts.size
 * @param {string} opts.contentType
 * @param {string} opts.etag
 * @param {(start: number, end: number) => AsyncIterable<Buffer> | Iterable<Buffer>} opts.read  inclusive range
 * @param {Record<string, string>} [opts.headers]
 * @param {BodyFaults} [opts.body]   cut, stall or pace the body
 * @param {(status: number) => void} [opts.onHead]  called with the status before the body is sent
 * @returns {Promise<number>} the status sent
 */
async function serveBytes(req, res, opts) {
  const { size, contentType, etag } = opts;
  const base = {
    ...(opts.headers || {}),
    'content-type': contentType,
    'accept-ranges': 'bytes',
    etag,
    'cache-control': 'public, max-age=3600',
  };
  let range = parseRange(req.headers.range, size);
  const ifRange = req.headers['if-range'];
  if (range && ifRange && ifRange !== etag) range = null;
  if (range === 'unsatisfiable') {
    if (opts.onHead) opts.onHead(416);
    res.writeHead(416, { ...base, 'content-range': `bytes */${size}`, 'content-length': '0' });
    res.end();
    return 416;
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : size - 1;
  const status = range ? 206 : 200;
  /** @type {Record<string, string>} */
  const headers = { ...base, 'content-length': String(Math.max(0, end - start + 1)) };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  if (opts.onHead) opts.onHead(status);
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return status;
  }
  await streamBody(res, opts.read(start, end), opts.body);
  return status;
}

module.exports = { readBody, sendJson, sendEmpty, parseRange, streamBody, serveBytes, STATUS_CODES };
