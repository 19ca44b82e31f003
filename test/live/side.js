// @ts-check
'use strict';

/**
 * One side of the live contract test: fal's hosts (or a Base URL that replaces their origin, as the credential's
 * Base URL does) and a key. Every call answers what a comparison needs (status, headers, body, time) and never
 * throws on an HTTP status. A call that carries the key never follows a redirect: the key goes to no other host.
 */

const { performance } = require('node:perf_hooks');
const { falAuthorization } = require('../../dist/fal/account');

const CALL_TIMEOUT_MS = 60_000;

/**
 * @typedef {object} Answer
 * @property {number} status
 * @property {Headers} headers
 * @property {unknown} json    the parsed body (undefined when it is not JSON)
 * @property {string} text
 * @property {Buffer} bytes
 * @property {number} ms       from the request to the whole body
 */

/**
 * @typedef {object} StreamEvent
 * @property {number} at       ms after the stream was asked for
 * @property {Record<string, unknown> | undefined} json
 */

/**
 * @typedef {object} StreamRecord
 * @property {number} status
 * @property {Headers | undefined} headers
 * @property {StreamEvent[]} events
 * @property {number} comments       comment lines (keep-alives)
 * @property {'closed' | 'open' | 'deadline' | 'error' | 'refused'} end  how it stopped ('open': still open a while
 *   after COMPLETED)
 * @property {number | undefined} closedAfterCompletedMs  when it closed, counted from the COMPLETED event
 * @property {string} [error]
 */

/** The first `data:` JSON of each complete server-sent event in `buf.text` (taken out of it). */
function takeEvents(/** @type {{ text: string }} */ buf) {
  /** @type {{ data?: string, comment: boolean }[]} */
  const out = [];
  for (let end = buf.text.search(/\r?\n\r?\n/); end >= 0; end = buf.text.search(/\r?\n\r?\n/)) {
    const lines = buf.text.slice(0, end).split(/\r?\n/);
    buf.text = buf.text.slice(end).replace(/^\r?\n\r?\n/, '');
    const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, ''));
    out.push({ data: data.length ? data.join('\n') : undefined, comment: lines.some((l) => l.startsWith(':')) });
  }
  return out;
}

class Side {
  /**
   * @param {object} o
   * @param {'target' | 'emulator'} o.name
   * @param {{ queue: string, storage: string, api: string, jwks: string }} o.origins  fal's hosts (jwks: the URL of
   *   the webhook keys), as the node derives them from the credential's Base URL
   * @param {string} o.key
   * @param {string} [o.webhookUrl]  fal_webhook for the first job (the webhook observation)
   */
  constructor(o) {
    this.name = o.name;
    this.origins = o.origins;
    this.jwksUrl = o.origins.jwks;
    this.webhookUrl = o.webhookUrl;
    /** @type {string} */
    this.key = o.key;
    /** What earlier observations left for later ones (image URL, jobs, the stream, the result). @type {Record<string, any>} */
    this.state = {};
  }

  /**
   * One HTTP call. `key: null` sends no Authorization; `key: 'other'` another key; the default, this side's key.
   * @param {string} method @param {string} url
   * @param {{ qs?: Record<string, string>, body?: unknown, raw?: Buffer, headers?: Record<string, string>,
   *   key?: string | null, follow?: boolean, timeoutMs?: number }} [o]
   * @returns {Promise<Answer>}
   */
  async call(method, url, o = {}) {
    const u = new URL(url);
    for (const [k, v] of Object.entries(o.qs || {})) u.searchParams.set(k, v);
    const key = o.key === undefined ? this.key : o.key;
    /** @type {Record<string, string>} */
    // keyless calls (signed upload URLs, CDN files) carry only what fal's client sends them
    const headers = { ...(key === null ? {} : { accept: 'application/json', authorization: falAuthorization(key) }), ...o.headers };
    /** @type {BodyInit | undefined} */
    let body;
    if (o.raw) body = o.raw;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    const t0 = performance.now();
    const res = await fetch(u, {
      method,
      headers,
      body,
      redirect: key === null && o.follow !== false ? 'follow' : 'manual',
      signal: AbortSignal.timeout(o.timeoutMs || CALL_TIMEOUT_MS),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.length <= 1_000_000 ? bytes.toString('utf8') : ''; // a video is not read as text
    let json;
    if (/json/i.test(res.headers.get('content-type') || '') || /^\s*[[{]/.test(text)) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, json, text, bytes, ms: Math.round(performance.now() - t0) };
  }

  /**
   * Reads a job's status stream: every event and comment with its time, until the stream closes (or `deadlineMs`).
   * After a COMPLETED event it waits up to `closeWaitMs` for the server to close the stream.
   * `onCompleted` is called the moment the COMPLETED event arrives.
   * @param {string} url @param {{ deadlineMs: number, closeWaitMs?: number, onCompleted?: () => void }} o
   * @returns {Promise<StreamRecord>}
   */
  async stream(url, o) {
    const t0 = performance.now();
    const ac = new AbortController();
    let deadlineHit = false;
    let leftOpen = false; // the server kept the stream open after COMPLETED
    const deadline = setTimeout(() => {
      deadlineHit = true;
      ac.abort();
    }, o.deadlineMs);
    /** @type {StreamRecord} */
    const rec = { status: 0, headers: undefined, events: [], comments: 0, end: 'error', closedAfterCompletedMs: undefined };
    /** @type {number | undefined} */
    let completedAt;
    /** @type {NodeJS.Timeout | undefined} */
    let closeWait;
    try {
      const u = new URL(url);
      u.searchParams.set('logs', '0');
      const res = await fetch(u, {
        headers: { accept: 'text/event-stream', authorization: falAuthorization(this.key) },
        redirect: 'manual',
        signal: ac.signal,
      });
      rec.status = res.status;
      rec.headers = res.headers;
      if (!res.ok || !res.body || !(res.headers.get('content-type') || '').startsWith('text/event-stream')) {
        rec.end = 'refused';
        await res.arrayBuffer().catch(() => undefined);
        return rec;
      }
      const decoder = new TextDecoder();
      const buf = { text: '' };
      for await (const chunk of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (res.body))) {
        buf.text += decoder.decode(chunk, { stream: true });
        for (const ev of takeEvents(buf)) {
          if (ev.comment) rec.comments += 1;
          if (ev.data === undefined) continue;
          /** @type {Record<string, unknown> | undefined} */
          let json;
          try {
            json = JSON.parse(ev.data);
          } catch {
            json = undefined;
          }
          const at = Math.round(performance.now() - t0);
          rec.events.push({ at, json });
          if (json && json.status === 'COMPLETED' && completedAt === undefined) {
            completedAt = at;
            if (o.onCompleted) o.onCompleted();
            closeWait = setTimeout(() => {
              leftOpen = true;
              ac.abort();
            }, o.closeWaitMs ?? 5000);
          }
        }
      }
      rec.end = 'closed';
      if (completedAt !== undefined) rec.closedAfterCompletedMs = Math.round(performance.now() - t0) - completedAt;
    } catch (e) {
      if (deadlineHit) rec.end = 'deadline';
      else if (leftOpen) rec.end = 'open';
      else {
        rec.end = 'error';
        rec.error = e instanceof Error ? e.message : String(e);
      }
    } finally {
      clearTimeout(deadline);
      clearTimeout(closeWait);
    }
    return rec;
  }
}

module.exports = { Side, takeEvents };
