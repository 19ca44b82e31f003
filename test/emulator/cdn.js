// @ts-check
'use strict';

/**
 * The CDN: `GET /cdn/<request_id>/output.mp4` serves a fixture MP4 (the endpoint's: `video.mp4`, silent, or
 * `video-audio.mp4`, with a stereo AAC track), or, with `videoBytes`, a virtual file of exactly that size: the fixture
 * followed by one top-level MP4 `free` box of zero padding, generated in chunks (never held in memory). Range
 * requests answer 206 (a resume after a cut); `cdnBytesPerSec` paces the body.
 */

const fs = require('node:fs');
const path = require('node:path');
const { sendJson, serveBytes } = require('./http');
const { virtualFile } = require('./virtual-file');

/** @typedef {import('./server').Ctx} Ctx */

const { findEndpoint } = require('./schema');

const FIXTURE_PATH = path.join(__dirname, 'fixtures', 'video.mp4');
/** The video with sound (H3): smaller than FIXTURE_PATH, so any `videoBytes` that fits the one fits the other. */
const AUDIO_FIXTURE_PATH = path.join(__dirname, 'fixtures', 'video-audio.mp4');
/**
 * @typedef {import('./virtual-file').VirtualFile & { etag: string }} VideoSource
 * @typedef {{ silent: VideoSource, audio: VideoSource }} VideoSources
 */

/**
 * @param {number} [videoBytes]  total size; undefined = the fixture as is
 * @param {Buffer} [fixture]
 * @param {string} [name]  in the ETag, so two fixtures padded to one size differ
 * @returns {VideoSource}
 */
function createVideoSource(videoBytes, fixture = fs.readFileSync(FIXTURE_PATH), name = 'video') {
  const size = videoBytes === undefined ? fixture.length : videoBytes;
  if (!Number.isSafeInteger(size)) throw new RangeError(`videoBytes must be an integer; got ${videoBytes}`);
  const pad = size - fixture.length;
  if (pad !== 0 && pad < 8) {
    throw new RangeError(`videoBytes must be ${fixture.length} (the fixture) or at least ${fixture.length + 8}; got ${size}`);
  }
  /** @type {import('./virtual-file').Segment[]} */
  const segments = [fixture];
  if (pad > 0xffffffff) {
    const header = Buffer.alloc(16); // size = 1, then a 64-bit largesize
    header.writeUInt32BE(1, 0);
    header.write('free', 4, 'latin1');
    header.writeBigUInt64BE(BigInt(pad), 8);
    segments.push(header, { zeros: pad - 16 });
  } else if (pad > 0) {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(pad, 0);
    header.write('free', 4, 'latin1');
    segments.push(header, { zeros: pad - 8 });
  }
  return { ...virtualFile(segments), etag: `"emu-${name}-${size}"` };
}

/** Both fixtures, each padded to `videoBytes` when set. @param {number} [videoBytes] @returns {VideoSources} */
function createVideoSources(videoBytes) {
  return {
    silent: createVideoSource(videoBytes),
    audio: createVideoSource(videoBytes, fs.readFileSync(AUDIO_FIXTURE_PATH), 'video-audio'),
  };
}

/**
 * GET|HEAD /cdn/<request_id>/<file> (no auth). The file outlives the job's result (fal's CDN keeps it until its
 * lifecycle ends, whatever became of the result), and is gone, 404, once the lifecycle the submit asked for
 * (X-Fal-Object-Lifecycle-Preference) has run out (retention.js).
 * @param {Ctx} ctx
 */
async function handleCdn(ctx) {
  const job = ctx.emu.queue.jobs.get(ctx.params.id);
  const out = job && job.output && /** @type {{ file_name?: string }} */ (Object.values(job.output)[0]);
  if (!job || !out || out.file_name !== ctx.params.name || ctx.emu.retention.isFileGone(job)) {
    sendJson(ctx.res, 404, { detail: 'File not found' });
    return;
  }
  ctx.setRequestId(job.requestId);
  const { videos, stats, options, timers } = ctx.emu;
  const video = videos[findEndpoint(job.endpoint)?.output.video ?? 'silent'];
  const f = ctx.fault;
  if (f && f.endAfterBytes !== undefined && ctx.req.method === 'GET') {
    ctx.call.fault = 'ended';
    stats.downloads += 1;
    ctx.res.writeHead(200, { 'content-type': 'video/mp4', 'transfer-encoding': 'chunked' });
    for await (const chunk of video.read(0, Math.min(video.size, f.endAfterBytes) - 1)) ctx.res.write(chunk);
    ctx.res.end();
    return;
  }
  await serveBytes(ctx.req, ctx.res, {
    size: video.size,
    contentType: 'video/mp4',
    etag: video.etag,
    read: (start, end) => video.read(start, end),
    headers: { 'content-disposition': `inline; filename="${ctx.params.name}"` },
    onHead: (status) => {
      if (ctx.req.method !== 'GET' || status === 416) return;
      stats.downloads += 1;
      if (status === 206) stats.rangeDownloads += 1;
    },
    body: {
      cutAfterBytes: f && f.cutAfterBytes,
      stallAfterBytes: f && f.stallAfterBytes,
      bytesPerSec: options.cdnBytesPerSec,
      sleep: (ms) => timers.sleep(ms),
    },
  });
}

module.exports = { createVideoSource, createVideoSources, handleCdn, FIXTURE_PATH, AUDIO_FIXTURE_PATH };
