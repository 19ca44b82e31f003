// @ts-check
'use strict';

/**
 * The raw record: every request as it really arrived (method, full URL with its query, every header as sent and
 * unredacted, the body's bytes up to a bound), on every listener the emulator runs (fal's origin: queue, storage,
 * platform, CDN, the sample host; the other origin), plus the webhooks the emulator sends out. It exists for tests
 * in the same process (`emu.raw`): it is never served over the admin HTTP API and never logged, since it holds
 * the keys. `emu.calls` is the redacted view for everything else.
 */

/** Body bytes kept per request; `bodyBytes` still counts them all. */
const RAW_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * @typedef {'queue' | 'storage' | 'platform' | 'cdn' | 'samples' | 'admin' | 'unknown' | 'other-origin' | 'webhook-out'} RawHost
 *
 * @typedef {object} RawRequest
 * @property {'fal' | 'other' | 'out'} origin  fal's origin (emu.url), the other origin (emu.otherUrl), or sent by
 *   the emulator (a webhook delivery)
 * @property {RawHost} host     which of fal's hosts the route stands for (or the other origin, or a webhook)
 * @property {string} route     the emulator's route name ('other' on the other origin, 'webhook' for deliveries)
 * @property {string} method
 * @property {string} url       the full URL, query included, exactly as the request line gave it (not normalised)
 * @property {Array<[string, string]>} headers  every header line as sent (name as sent, value unredacted), repeats kept
 * @property {Buffer} body      the body's first RAW_BODY_LIMIT bytes
 * @property {number} bodyBytes all the body bytes that arrived
 * @property {boolean} runner   made by the emulator's own model runner (reading an input image)
 * @property {number} at
 */

/** @type {Record<string, RawHost>} */
const HOST_OF_ROUTE = {
  submit: 'queue', status: 'queue', stream: 'queue', result: 'queue', cancel: 'queue',
  initiate: 'storage', upload: 'storage', file: 'storage', jwks: 'storage',
  pricing: 'platform', models: 'platform',
  cdn: 'cdn', sample: 'samples', admin: 'admin',
};

/** Pairs from Node's rawHeaders list. @param {string[]} raw @returns {Array<[string, string]>} */
function headerPairs(raw) {
  /** @type {Array<[string, string]>} */
  const pairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}

/**
 * Records an arriving request and tees its body (another 'data' listener: the route's own reading is unchanged).
 * @param {RawRequest[]} list
 * @param {import('node:http').IncomingMessage} req
 * @param {{ origin: 'fal' | 'other', baseUrl: string, route: string, runner?: boolean }} where
 * @returns {RawRequest}
 */
function recordRequest(list, req, where) {
  /** @type {RawRequest} */
  const record = {
    origin: where.origin,
    host: where.origin === 'other' ? 'other-origin' : HOST_OF_ROUTE[where.route] || 'unknown',
    route: where.route,
    method: req.method || 'GET',
    url: (req.url || '/').startsWith('/') ? where.baseUrl + (req.url || '/') : req.url || '', // not normalised
    headers: headerPairs(req.rawHeaders),
    body: Buffer.alloc(0), // replaced by a getter below
    bodyBytes: 0,
    runner: where.runner === true,
    at: Date.now(),
  };
  /** @type {Buffer[]} */
  const kept = [];
  let keptBytes = 0;
  /** @type {Buffer | undefined} */
  let joined;
  // joined when read (a large upload's chunks are not copied once per chunk)
  Object.defineProperty(record, 'body', { enumerable: true, get: () => (joined ??= Buffer.concat(kept)) });
  req.on('data', (/** @type {Buffer} */ chunk) => {
    record.bodyBytes += chunk.length;
    if (keptBytes < RAW_BODY_LIMIT) {
      const part = Buffer.from(chunk.subarray(0, RAW_BODY_LIMIT - keptBytes));
      kept.push(part);
      keptBytes += part.length;
      joined = undefined;
    }
  });
  list.push(record);
  return record;
}

/**
 * Records a webhook the emulator sends out: where to, and what it says.
 * @param {RawRequest[]} list @param {string} url @param {unknown} content
 */
function recordWebhookOut(list, url, content) {
  const body = Buffer.from(JSON.stringify(content) ?? '');
  list.push({
    origin: 'out', host: 'webhook-out', route: 'webhook', method: 'POST', url, headers: [], body, bodyBytes: body.length,
    runner: false, at: Date.now(),
  });
}

module.exports = { recordRequest, recordWebhookOut, RAW_BODY_LIMIT };
