// Shared by the conformance suites: fal's own JavaScript client (@fal-ai/client 1.10.1) and plain fetch drive the
// emulator in test/emulator, with only the origin of fal's hosts rewritten. Nothing here leaves 127.0.0.1.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { once } = require('node:events');
const { createFalClient } = require('@fal-ai/client');

const ENDPOINT = 'fal-ai/minimax/hailuo-2.3/standard/image-to-video';
const KEY = 'test-key';
/** A second key, of ADMIN scope (fal's pricing call asks for one). */
const ADMIN_KEY = 'test-admin-key';
const FAL_ORIGINS = ['https://queue.fal.run', 'https://rest.fal.ai', 'https://api.fal.ai', 'https://fal.run'];
const FIXTURES = path.join(__dirname, '..', 'emulator', 'fixtures');
const PNG = fs.readFileSync(path.join(FIXTURES, 'frame.png'));
const JPG = fs.readFileSync(path.join(FIXTURES, 'frame.jpg'));
const MP4 = fs.readFileSync(path.join(FIXTURES, 'video.mp4'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A fal client whose every request goes to the emulator: the middleware rewrites fal's origins, and a guarding
 * fetch refuses anything that does not start on emu.url (the storage PUT bypasses the middleware, so it is checked
 * there). Redirects are followed by fetch itself.
 */
function falClientFor(emu, credentials = KEY) {
  return createFalClient({
    credentials,
    requestMiddleware: async (req) => {
      const origin = FAL_ORIGINS.find((o) => req.url === o || req.url.startsWith(`${o}/`));
      return origin ? { ...req, url: emu.url + req.url.slice(origin.length) } : req;
    },
    fetch: (url, init) => {
      const u = String(url);
      if (!u.startsWith(`${emu.url}/`)) throw new Error(`test guard: refusing a request off the emulator: ${u}`);
      return fetch(u, init);
    },
  });
}

const auth = (key = KEY) => ({ authorization: `Key ${key}` });
const jsonHeaders = (key = KEY) => ({ ...auth(key), 'content-type': 'application/json' });
/** A valid input whose image the runner can really fetch: the sample host's copy of frame.jpg. */
const goodInput = (emu, extra = {}) => ({ prompt: 'A lighthouse at dusk, waves rolling in', image_url: `${emu.url}/_samples/frame.jpg`, ...extra });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function submitDirect(emu, input = goodInput(emu), { key = KEY, query = '' } = {}) {
  const res = await fetch(`${emu.url}/${ENDPOINT}${query}`, { method: 'POST', headers: jsonHeaders(key), body: JSON.stringify(input) });
  return { res, body: await res.json() };
}

/** Resolves when pred() is truthy (checked every 5 ms); throws after timeoutMs (generous: not a speed check). */
async function waitFor(pred, what = 'condition', timeoutMs = 20000) {
  const t0 = Date.now();
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const isEnded = (job) => job && (job.status === 'COMPLETED' || job.status === 'CANCELLED');
const waitEnded = (emu, id, timeoutMs) => waitFor(() => (isEnded(emu.jobs.get(id)) ? emu.jobs.get(id) : null), `job ${id} to end`, timeoutMs);
const waitStatus = (emu, id, status, timeoutMs) =>
  waitFor(() => (emu.jobs.get(id) && emu.jobs.get(id).status === status ? emu.jobs.get(id) : null), `job ${id} ${status}`, timeoutMs);

/** Top-level MP4 boxes of a buffer: [{ type, start, size }]; throws when the sizes do not tile the buffer. */
function mp4Boxes(buf) {
  const boxes = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + 8 > buf.length) throw new Error(`truncated box header at ${pos}`);
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(pos + 8));
    else if (size === 0) size = buf.length - pos;
    if (size < 8 || pos + size > buf.length) throw new Error(`bad box ${type} of size ${size} at ${pos}`);
    boxes.push({ type, start: pos, size });
    pos += size;
  }
  return boxes;
}

/** Reads an SSE body into its `data:` payloads, checking the framing. */
function parseSse(text) {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return JSON.parse(frame.slice('data: '.length));
    });
}

/**
 * Reads a response body chunk by chunk until `bytes` have come, then returns them (the rest is left unread).
 * @returns {Promise<{ got: Buffer, reader: ReadableStreamDefaultReader }>}
 */
async function readAtLeast(res, bytes) {
  const reader = res.body.getReader();
  const chunks = [];
  let n = 0;
  while (n < bytes) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    n += value.length;
  }
  return { got: Buffer.concat(chunks), reader };
}

/**
 * A webhook receiver on 127.0.0.1: records every POST (headers, raw body, parsed JSON) and answers the next status
 * of `answers` (then 200), or drops the connection for 'reset'.
 */
async function startReceiver(answers = []) {
  const queue = [...answers];
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const answer = queue.length ? queue.shift() : 200;
      received.push({ method: req.method, path: req.url, headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')), answer });
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    received,
    close: () => new Promise((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}

module.exports = {
  ENDPOINT, KEY, ADMIN_KEY, PNG, JPG, MP4, UUID, falClientFor, auth, jsonHeaders, goodInput, sleep, submitDirect, waitFor, waitEnded,
  waitStatus, isEnded, mp4Boxes, parseSse, readAtLeast, startReceiver,
};
