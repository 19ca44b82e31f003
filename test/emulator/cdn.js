// @ts-check
'use strict';

/**
 * The CDN: `GET /cdn/<request_id>/output.mp4` serves the fixture MP4, or, with `videoBytes`, a virtual file of
 * exactly that size: the fixture followed by one top-level MP4 `free` box of zero padding, generated in chunks
 * (never held in memory). Range requests answer 206.
 */

const fs = require('node:fs');
const path = require('node:path');
const { sendJson, serveBytes } = require('./http');

/** @typedef {import('./server').Ctx} Ctx */

const FIXTURE_PATH = path.join(__dirname, 'fixtures', 'video.mp4');
const CHUNK = 64 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

/**
 * @typedef {object} VideoSource
 * @property {number} size
 * @property {string} etag
 * @property {(start: number, end: number) => Generator<Buffer>} read  inclusive byte range
 */

/**
 * @param {number} [videoBytes]  total size; undefined = the fixture as is
 * @param {Buffer} [fixture]
 * @returns {VideoSource}
 */
function createVideoSource(videoBytes, fixture = fs.readFileSync(FIXTURE_PATH)) {
  const size = videoBytes === undefined ? fixture.length : videoBytes;
  if (!Number.isSafeInteger(size)) throw new RangeError(`videoBytes must be an integer; got ${videoBytes}`);
  const pad = size - fixture.length;
  if (pad !== 0 && pad < 8) {
    throw new RangeError(`videoBytes must be ${fixture.length} (the fixture) or at least ${fixture.length + 8}; got ${size}`);
  }
  /** @type {Buffer} */
  let header = Buffer.alloc(0);
  if (pad > 0xffffffff) {
    header = Buffer.alloc(16); // size = 1, then a 64-bit largesize
    header.writeUInt32BE(1, 0);
    header.write('free', 4, 'latin1');
    header.writeBigUInt64BE(BigInt(pad), 8);
  } else if (pad > 0) {
    header = Buffer.alloc(8);
    header.writeUInt32BE(pad, 0);
    header.write('free', 4, 'latin1');
  }
  const head = pad > 0 ? Buffer.concat([fixture, header]) : fixture; // small: fixture + box header
  return {
    size,
    etag: `"emu-video-${size}"`,
    *read(start, end) {
      let pos = start;
      while (pos <= end) {
        if (pos < head.length) {
          const stop = Math.min(head.length, end + 1, pos + CHUNK);
          yield head.subarray(pos, stop);
          pos = stop;
        } else {
          const n = Math.min(CHUNK, end + 1 - pos);
          yield n === CHUNK ? ZEROS : ZEROS.subarray(0, n);
          pos += n;
        }
      }
    },
  };
}

/**
 * GET|HEAD /cdn/<request_id>/<file> (no auth).
 * @param {Ctx} ctx
 */
async function handleCdn(ctx) {
  const job = ctx.emu.queue.get(ctx.params.id);
  const out = job && job.output && /** @type {{ file_name?: string }} */ (Object.values(job.output)[0]);
  if (!job || !out || out.file_name !== ctx.params.name) {
    sendJson(ctx.res, 404, { detail: 'File not found' });
    return;
  }
  ctx.setRequestId(job.requestId);
  const video = ctx.emu.video;
  if (ctx.req.method === 'GET') ctx.emu.stats.downloads += 1;
  await serveBytes(ctx.req, ctx.res, {
    size: video.size,
    contentType: 'video/mp4',
    etag: video.etag,
    read: (start, end) => video.read(start, end),
    headers: { 'content-disposition': `inline; filename="${ctx.params.name}"` },
    cutAfterBytes: ctx.fault && ctx.fault.cutAfterBytes,
  });
}

module.exports = { createVideoSource, handleCdn, FIXTURE_PATH };
