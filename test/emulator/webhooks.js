// @ts-check
'use strict';

/**
 * Webhooks as fal delivers them: when a job submitted with `?fal_webhook=<url>` ends, a JSON POST to that URL
 *   OK:    {"request_id", "gateway_request_id", "status": "OK", "payload": <the output>, "error": null}
 *   ERROR: {"request_id", "gateway_request_id", "status": "ERROR", "error": "Invalid status code: <n>",
 *           "payload": <the error body the result call gives>}
 * signed like fal's (headers X-Fal-Webhook-Request-Id, -User-Id, -Timestamp, -Signature: Ed25519 over
 * request_id \n user_id \n timestamp \n sha256_hex(body), public key at GET /.well-known/jwks.json).
 * A failed delivery (non-2xx, network error, no answer within 15 s) is retried after retryMs, doubling, up to 10
 * attempts. Faults on route 'webhook' are consumed per delivery: `duplicate` delivers the same body twice, `delayMs`
 * delivers late, `signGatewayId` makes gateway_request_id differ from request_id (fal retried the job internally)
 * and signs the gateway id into the request-id header (fal's docs do not say which id the header carries),
 * `payloadError` sends `payload: null` with that `payload_error`, `userId` signs for another fal user. Every attempt
 * is recorded in `records` (emu.webhooks). The key set's route ('jwks') takes the server's ordinary faults (e.g.
 * `reset`: unreachable), and every fetch of it is a call of route 'jwks' in emu.calls.
 */

const http = require('node:http');
const https = require('node:https');
const { createHash, generateKeyPairSync, randomUUID, sign } = require('node:crypto');

const MAX_ATTEMPTS = 10;
const TIMEOUT_MS = 15000;
const USER_ID = 'emulator-user';

/**
 * @typedef {object} WebhookRecord  one delivery attempt
 * @property {string} url
 * @property {string} requestId
 * @property {string} gatewayRequestId  the body's gateway_request_id (request_id unless the fault signGatewayId)
 * @property {string} signedId     the id in the signed x-fal-webhook-request-id header
 * @property {string} userId       the fal user id it was signed for
 * @property {number} delivery     1, or 2 for a duplicate
 * @property {number} attempt      1..10
 * @property {number} [status]     the receiver's HTTP status
 * @property {string} [error]      or why there was none
 * @property {number} at           when the attempt started (ms)
 * @property {'OK' | 'ERROR'} outcome  the body's status
 */

/**
 * @typedef {object} Delivery  one body to deliver, and how it is signed
 * @property {string} url @property {string} requestId @property {string} gatewayRequestId
 * @property {string} signedId @property {string} userId @property {string} body @property {'OK' | 'ERROR'} outcome
 */

class Webhooks {
  /**
   * @param {object} opts
   * @param {import('./timers').Timers} opts.timers
   * @param {import('./faults').FaultQueue} opts.faults
   * @param {number} opts.retryMs   first retry delay (doubles each time)
   */
  constructor(opts) {
    this.opts = opts;
    /** @type {WebhookRecord[]} */
    this.records = [];
    /** @type {Set<http.ClientRequest>} */
    this.requests = new Set();
    /** @type {Set<NodeJS.Timeout>} */
    this.pending = new Set();
    this.generation = 0; // bumped by stop(): answers to older requests are ignored
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.jwks = { keys: [{ kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: 'emulator', use: 'sig', alg: 'EdDSA' }] };
  }

  /**
   * The signature headers fal would send with this body (also for tests that forge deliveries: a timestamp of their
   * choosing, a body other than the one signed).
   * @param {string} requestId @param {string} body @param {number} [timestamp] Unix seconds (default: now)
   * @param {string} [userId] the fal user id signed (default: the emulator's)
   * @returns {Record<string, string>}
   */
  signatureHeaders(requestId, body, timestamp = Math.floor(Date.now() / 1000), userId = USER_ID) {
    const hash = createHash('sha256').update(body).digest('hex');
    const message = Buffer.from([requestId, userId, String(timestamp), hash].join('\n'));
    return {
      'x-fal-webhook-request-id': requestId,
      'x-fal-webhook-user-id': userId,
      'x-fal-webhook-timestamp': String(timestamp),
      'x-fal-webhook-signature': sign(null, message, this.privateKey).toString('hex'),
    };
  }

  /**
   * Delivers the end of a job (consumes one 'webhook' fault).
   * @param {string} url @param {string} requestId
   * @param {{ ok: true, payload: unknown } | { ok: false, status: number, payload: unknown }} outcome
   */
  deliver(url, requestId, outcome) {
    if (this.opts.timers.closed) return;
    const fault = this.opts.faults.take('webhook');
    const gatewayRequestId = fault && fault.signGatewayId ? randomUUID() : requestId;
    const ids = { request_id: requestId, gateway_request_id: gatewayRequestId };
    const payload = fault && fault.payloadError !== undefined ? null : outcome.payload;
    /** @type {Record<string, unknown>} */
    const message = outcome.ok === true
      ? { ...ids, status: 'OK', payload, error: null }
      : { ...ids, status: 'ERROR', error: `Invalid status code: ${outcome.status}`, payload };
    if (fault && fault.payloadError !== undefined) message.payload_error = fault.payloadError;
    const d = {
      url, requestId, gatewayRequestId, signedId: gatewayRequestId, userId: (fault && fault.userId) || USER_ID,
      body: JSON.stringify(message), outcome: /** @type {'OK' | 'ERROR'} */ (outcome.ok ? 'OK' : 'ERROR'),
    };
    const second = fault && fault.duplicate ? () => this.attempt({ ...d, delivery: 2 }, 1, () => {}) : () => {};
    this.later(() => this.attempt({ ...d, delivery: 1 }, 1, second), (fault && fault.delayMs) || 0);
  }

  /** @param {() => void} fn @param {number} ms */
  later(fn, ms) {
    const t = this.opts.timers.set(() => {
      this.pending.delete(t);
      fn();
    }, ms);
    this.pending.add(t);
  }

  /**
   * @param {Delivery & { delivery: number }} d
   * @param {number} n  attempt number
   * @param {() => void} done  after the last attempt of this delivery
   */
  attempt(d, n, done) {
    /** @type {WebhookRecord} */
    const record = {
      url: d.url, requestId: d.requestId, gatewayRequestId: d.gatewayRequestId, signedId: d.signedId, userId: d.userId,
      delivery: d.delivery, attempt: n, at: Date.now(), outcome: d.outcome,
    };
    this.records.push(record);
    const generation = this.generation;
    this.post(d, (status, error) => {
      if (generation !== this.generation) return;
      if (status !== undefined) record.status = status;
      if (error !== undefined) record.error = error;
      const ok = status !== undefined && status >= 200 && status < 300;
      if (ok || n >= MAX_ATTEMPTS) done();
      else this.later(() => this.attempt(d, n + 1, done), this.opts.retryMs * 2 ** (n - 1));
    });
  }

  /**
   * @param {Delivery} d
   * @param {(status?: number, error?: string) => void} cb
   */
  post(d, cb) {
    let u;
    try {
      u = new URL(d.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported URL scheme ${u.protocol}`);
    } catch (e) {
      cb(undefined, e instanceof Error ? e.message : String(e));
      return;
    }
    const signed = this.signatureHeaders(d.signedId, d.body, undefined, d.userId);
    let settled = false;
    /** @param {number} [status] @param {string} [error] */
    const settle = (status, error) => {
      if (settled) return;
      settled = true;
      this.requests.delete(req);
      cb(status, error);
    };
    const req = (u.protocol === 'https:' ? https : http).request(u, {
      method: 'POST',
      agent: false,
      timeout: TIMEOUT_MS,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(d.body)),
        'user-agent': 'fal-emulator-webhooks/1',
        ...signed,
      },
    });
    this.requests.add(req);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => settle(undefined, /** @type {{ code?: string }} */ (e).code || e.message));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => settle(res.statusCode));
      res.on('error', () => settle(res.statusCode));
    });
    req.end(d.body);
  }

  /** Stops every pending delivery (records kept). */
  stop() {
    this.generation += 1;
    for (const t of this.pending) this.opts.timers.clear(t);
    this.pending.clear();
    for (const r of this.requests) r.destroy();
    this.requests.clear();
  }

  /** Stops every pending delivery and drops the records. */
  reset() {
    this.stop();
    this.records.length = 0;
  }
}

module.exports = { Webhooks, MAX_ATTEMPTS, USER_ID };
