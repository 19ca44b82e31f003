// @ts-check
'use strict';

/**
 * A sample image host, not part of fal: `GET|HEAD /_samples/<name>` (no auth, Range support), for image URLs that
 * the model's runner (and the code under test) can really fetch. Names:
 *   frame.png, frame.jpg        the fixtures (512x768)
 *   png/<W>x<H>.png             a one-colour PNG of that size       jpeg/<W>x<H>.jpg   a baseline JPEG
 *   webp/<W>x<H>.webp           a lossless WebP                     gif/<W>x<H>.gif    a GIF (a format the model refuses)
 *   truncated.png               a PNG signature and half an IHDR chunk
 *   big/<MB>.png                a valid 512x768 PNG padded to exactly <MB> MiB (decimals allowed), streamed
 * Faults apply as route 'sample'.
 */

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { createHash } = require('node:crypto');
const { sendJson, serveBytes } = require('./http');
const { makePng, makeJpeg, makeWebp, makeGif, pngChunk, PNG_SIGNATURE } = require('./image-gen');
const { virtualFile } = require('./virtual-file');

/** @typedef {import('./server').Ctx} Ctx */
/** @typedef {{ size: number, contentType: string, etag: string, read: (start: number, end: number) => Iterable<Buffer> }} Sample */

const FIXTURES = path.join(__dirname, 'fixtures');
const MAX_SIDE = { png: 20000, jpeg: 65535, webp: 16384, gif: 65535 };
const MAX_PIXELS = { png: 100e6, jpeg: 100e6, webp: 16384 * 16384, gif: 4e6 };
const MAX_BIG_MB = 200;
const PAD_CHUNK = 'emPd'; // ancillary, private, safe to copy: decoders skip it

/** @type {Map<string, Sample>} */
const cache = new Map();

/** @param {Buffer} bytes @param {string} contentType @returns {Sample} */
function fromBuffer(bytes, contentType) {
  return {
    size: bytes.length,
    contentType,
    etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
    read: (start, end) => [bytes.subarray(start, end + 1)],
  };
}

/**
 * A 512x768 PNG of exactly `bytes` bytes: the image, then one padding chunk of zeros, then IEND.
 * @param {number} bytes @returns {Sample}
 */
function bigPng(bytes) {
  const image = makePng(512, 768);
  const head = image.subarray(0, image.length - 12); // without IEND
  const iend = image.subarray(image.length - 12);
  const padLength = bytes - head.length - iend.length - 12;
  const padHead = Buffer.alloc(8);
  padHead.writeUInt32BE(padLength, 0);
  padHead.write(PAD_CHUNK, 4, 'latin1');
  let crc = zlib.crc32(Buffer.from(PAD_CHUNK, 'latin1'));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let left = padLength; left > 0; left -= zeros.length) crc = zlib.crc32(zeros.subarray(0, Math.min(left, zeros.length)), crc);
  const padCrc = Buffer.alloc(4);
  padCrc.writeUInt32BE(crc, 0);
  const file = virtualFile([head, padHead, { zeros: padLength }, padCrc, iend]);
  return { ...file, contentType: 'image/png', etag: `"emu-big-${bytes}"` };
}

/**
 * The sample called `name`, or a reason why there is none.
 * @param {string} name @returns {Sample | { notFound: string }}
 */
function sample(name) {
  const hit = cache.get(name);
  if (hit) return hit;
  const made = make(name);
  if ('size' in made) {
    if (cache.size > 64) cache.delete(/** @type {string} */ (cache.keys().next().value));
    cache.set(name, made);
  }
  return made;
}

/** @param {string} name @returns {Sample | { notFound: string }} */
function make(name) {
  if (name === 'frame.png' || name === 'frame.jpg') {
    return fromBuffer(fs.readFileSync(path.join(FIXTURES, name)), name.endsWith('.png') ? 'image/png' : 'image/jpeg');
  }
  if (name === 'truncated.png') {
    const ihdr = pngChunk('IHDR', Buffer.alloc(13)).subarray(0, 14); // length, type and 6 of its 13 bytes
    ihdr.writeUInt32BE(512, 8);
    return fromBuffer(Buffer.concat([PNG_SIGNATURE, ihdr]), 'image/png');
  }
  let m = /^big\/(\d+(?:\.\d+)?)\.png$/.exec(name);
  if (m) {
    const mb = Number(m[1]);
    if (!(mb > 0.01 && mb <= MAX_BIG_MB)) return { notFound: `big/<MB>.png takes 0.01 < MB <= ${MAX_BIG_MB}` };
    return bigPng(Math.round(mb * 1024 * 1024));
  }
  m = /^(png|jpeg|webp|gif)\/(\d{1,5})x(\d{1,5})\.(png|jpg|webp|gif)$/.exec(name);
  const ext = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif' };
  if (m && ext[/** @type {keyof typeof ext} */ (m[1])] === m[4]) {
    const kind = /** @type {'png' | 'jpeg' | 'webp' | 'gif'} */ (m[1]);
    const w = Number(m[2]);
    const h = Number(m[3]);
    if (w < 1 || h < 1 || w > MAX_SIDE[kind] || h > MAX_SIDE[kind] || w * h > MAX_PIXELS[kind]) {
      return { notFound: `${kind} samples take 1..${MAX_SIDE[kind]} px a side and at most ${MAX_PIXELS[kind]} pixels` };
    }
    const bytes = { png: makePng, jpeg: makeJpeg, webp: makeWebp, gif: makeGif }[kind](w, h);
    return fromBuffer(bytes, `image/${kind}`);
  }
  return { notFound: `No sample ${name}` };
}

/**
 * GET|HEAD /_samples/<name>
 * @param {Ctx} ctx
 */
async function handleSample(ctx) {
  const s = sample(ctx.params.name);
  if (!('size' in s)) {
    sendJson(ctx.res, 404, { detail: s.notFound });
    return;
  }
  const f = ctx.fault;
  await serveBytes(ctx.req, ctx.res, {
    size: s.size,
    contentType: s.contentType,
    etag: s.etag,
    read: s.read,
    body: { cutAfterBytes: f && f.cutAfterBytes, stallAfterBytes: f && f.stallAfterBytes },
  });
}

module.exports = { handleSample, sample };
