// @ts-check
'use strict';

/**
 * fal storage: `POST /storage/upload/initiate` (and `initiate-multipart`, which fal's client uses over 90 MB),
 * the signed `PUT /upload/<token>` (multipart: `PUT /upload/<token>/<n>` then `POST /upload/<token>/complete`),
 * and the uploaded files served at `GET /files/<token>/<name>`.
 */

const { randomBytes, createHash } = require('node:crypto');
const { sendJson, sendEmpty, serveBytes } = require('./http');

/** @typedef {import('./server').Ctx} Ctx */

/** @typedef {{ contentType: string, bytes: Buffer, fileName: string }} Upload */

/**
 * @typedef {object} Pending
 * @property {string} contentType
 * @property {string} fileName
 * @property {string} fileUrl
 * @property {boolean} multipart
 * @property {Map<number, Buffer>} parts
 */

class Storage {
  /** @param {{ baseUrl: () => string, stats: { uploads: number } }} opts */
  constructor(opts) {
    this.opts = opts;
    /** @type {Map<string, Pending>} token -> upload slot */
    this.pending = new Map();
    /** @type {Map<string, Upload>} file_url -> stored file (emu.uploads) */
    this.uploads = new Map();
  }

  /**
   * @param {{ content_type: string, file_name: string }} req @param {boolean} multipart
   * @returns {{ upload_url: string, file_url: string }}
   */
  initiate(req, multipart) {
    const token = randomBytes(12).toString('hex');
    const fileName = req.file_name.replace(/[/\\]/g, '_') || 'file.bin';
    const base = this.opts.baseUrl();
    const fileUrl = `${base}/files/${token}/${encodeURIComponent(fileName)}`;
    this.pending.set(token, { contentType: req.content_type, fileName, fileUrl, multipart, parts: new Map() });
    return { upload_url: `${base}/upload/${token}`, file_url: fileUrl };
  }

  /** @param {Pending} p @param {Buffer} bytes @param {string | undefined} contentType */
  store(p, bytes, contentType) {
    const type = contentType && contentType !== 'application/octet-stream' ? contentType : p.contentType;
    this.uploads.set(p.fileUrl, { contentType: type || 'application/octet-stream', bytes, fileName: p.fileName });
    this.opts.stats.uploads += 1;
  }

  /** @param {string} token @param {string} name @returns {Upload | undefined} */
  fileAt(token, name) {
    const p = this.pending.get(token);
    if (!p || p.fileName !== name) return undefined;
    return this.uploads.get(p.fileUrl);
  }

  /**
   * What the model gets when it fetches a URL on this emulator's origin.
   * @param {URL} url @returns {Upload | undefined}
   */
  fileForUrl(url) {
    const m = /^\/files\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) return undefined;
    let name;
    try {
      name = decodeURIComponent(m[2]);
    } catch {
      return undefined;
    }
    return this.fileAt(m[1], name);
  }

  reset() {
    this.pending.clear();
    this.uploads.clear();
  }
}

/**
 * POST /storage/upload/initiate[-multipart]?storage_type=fal-cdn-v3 (auth already checked).
 * @param {Ctx} ctx
 */
function handleInitiate(ctx) {
  const body = /** @type {Record<string, unknown> | undefined} */ (ctx.json);
  /** @type {{ type: string, loc: string[], msg: string, input?: unknown }[]} */
  const errors = [];
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    errors.push({ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary', input: body });
  } else {
    for (const f of ['content_type', 'file_name']) {
      if (body[f] === undefined) errors.push({ type: 'missing', loc: ['body', f], msg: 'Field required', input: body });
      else if (typeof body[f] !== 'string') errors.push({ type: 'string_type', loc: ['body', f], msg: 'Input should be a valid string', input: body[f] });
    }
  }
  if (errors.length) {
    sendJson(ctx.res, 422, { detail: errors });
    return;
  }
  const req = /** @type {{ content_type: string, file_name: string }} */ (body);
  sendJson(ctx.res, 200, ctx.emu.storage.initiate(req, ctx.params.multipart === '1'));
}

/**
 * PUT /upload/<token>, PUT /upload/<token>/<part>, POST /upload/<token>/complete (no auth: signed URLs).
 * @param {Ctx} ctx
 */
function handleUpload(ctx) {
  const storage = ctx.emu.storage;
  const p = storage.pending.get(ctx.params.token);
  if (!p) {
    sendJson(ctx.res, 404, { detail: 'Upload URL not found or expired' });
    return;
  }
  const ct = ctx.req.headers['content-type'];
  if (ctx.params.part === undefined && !ctx.params.complete) {
    storage.store(p, ctx.body, ct);
    sendEmpty(ctx.res, 200);
    return;
  }
  if (ctx.params.part !== undefined) {
    const n = Number(ctx.params.part);
    p.parts.set(n, ctx.body);
    const etag = `"${createHash('md5').update(ctx.body).digest('hex')}"`;
    sendJson(ctx.res, 200, { partNumber: n, etag }, { etag });
    return;
  }
  // complete
  const numbers = [...p.parts.keys()].sort((a, b) => a - b);
  if (!numbers.length) {
    sendJson(ctx.res, 400, { detail: 'No parts uploaded' });
    return;
  }
  storage.store(p, Buffer.concat(numbers.map((n) => /** @type {Buffer} */ (p.parts.get(n)))), p.contentType);
  p.parts.clear();
  sendJson(ctx.res, 200, { file_url: p.fileUrl });
}

/**
 * GET|HEAD /files/<token>/<name> (no auth), with Range support.
 * @param {Ctx} ctx
 */
async function handleFile(ctx) {
  const file = ctx.emu.storage.fileAt(ctx.params.token, ctx.params.name);
  if (!file) {
    sendJson(ctx.res, 404, { detail: 'File not found' });
    return;
  }
  const { bytes } = file;
  await serveBytes(ctx.req, ctx.res, {
    size: bytes.length,
    contentType: file.contentType,
    etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
    read: (start, end) => [bytes.subarray(start, end + 1)],
    body: { cutAfterBytes: ctx.fault && ctx.fault.cutAfterBytes, stallAfterBytes: ctx.fault && ctx.fault.stallAfterBytes },
  });
}

module.exports = { Storage, handleInitiate, handleUpload, handleFile };
