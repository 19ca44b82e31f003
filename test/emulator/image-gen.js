// @ts-check
'use strict';

/**
 * Small, valid, one-colour images of any size, made on the fly for the sample host (samples.js): PNG (1-bit
 * palette), baseline JPEG (greyscale, every block the same), lossless WebP (VP8L, every prefix code a single
 * symbol: zero bits per pixel) and GIF (uncompressed LZW). Each stays small even at large sizes, and each decodes.
 */

const zlib = require('node:zlib');

/** @param {string} type @param {Buffer} data @returns {Buffer} a PNG chunk: length, type, data, CRC */
function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** @param {number} width @param {number} height @returns {Buffer} IHDR data of a 1-bit palette image */
function ihdr(width, height) {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = 1; // bit depth
  d[9] = 3; // colour type: palette
  return d; // compression, filter, interlace: 0
}

/**
 * A PNG of one colour. Rows are 1 + ceil(width / 8) bytes, all zero: deflate squeezes them to almost nothing.
 * @param {number} width @param {number} height @param {[number, number, number]} [rgb]
 * @returns {Buffer}
 */
function makePng(width, height, rgb = [0x33, 0x66, 0xaa]) {
  const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter byte 0 + palette index 0, every row
  const idat = zlib.deflateSync(raw, { level: 9 });
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr(width, height)),
    pngChunk('PLTE', Buffer.from(rgb)),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A baseline greyscale JPEG of one mid-grey: one Huffman code per table (DC category 0, AC end-of-block), so every
 * 8x8 block is two zero bits.
 * @param {number} width @param {number} height @returns {Buffer}
 */
function makeJpeg(width, height) {
  /** @param {number} marker @param {number[]} payload */
  const seg = (marker, payload) => Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]);
  const app0 = seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // JFIF 1.1
  const dqt = seg(0xdb, [0x00, ...new Array(64).fill(1)]);
  const sof0 = seg(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
  const lengths = (/** @type {number} */ n) => [n, ...new Array(15).fill(0)];
  const dht = seg(0xc4, [0x00, ...lengths(1), 0x00, 0x10, ...lengths(1), 0x00]); // DC0: {cat 0}, AC0: {EOB}
  const sos = seg(0xda, [1, 1, 0x00, 0, 63, 0]);
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const bits = blocks * 2;
  const data = Buffer.alloc(Math.ceil(bits / 8)); // zero bits...
  const spare = data.length * 8 - bits;
  if (spare) data[data.length - 1] = (1 << spare) - 1; // ...padded with ones
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, dqt, sof0, dht, sos, data, Buffer.from([0xff, 0xd9])]);
}

/** Writes bits least-significant first (VP8L order). */
class BitWriter {
  constructor() {
    /** @type {number[]} */
    this.bytes = [];
    this.acc = 0;
    this.n = 0;
  }

  /** @param {number} value @param {number} count */
  write(value, count) {
    for (let i = 0; i < count; i += 1) {
      this.acc |= ((value >>> i) & 1) << this.n;
      this.n += 1;
      if (this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }

  /** @returns {Buffer} */
  done() {
    if (this.n) this.bytes.push(this.acc);
    return Buffer.from(this.bytes);
  }
}

/**
 * A lossless WebP (VP8L) of one colour: no transform, no colour cache, and five single-symbol prefix codes, so the
 * pixels take no bits at all.
 * @param {number} width @param {number} height @param {[number, number, number]} [rgb]
 * @returns {Buffer}
 */
function makeWebp(width, height, rgb = [0x33, 0x66, 0xaa]) {
  const w = new BitWriter();
  w.write(0x2f, 8); // VP8L signature
  w.write(width - 1, 14);
  w.write(height - 1, 14);
  w.write(0, 1); // alpha unused
  w.write(0, 3); // version 0
  w.write(0, 1); // no transform
  w.write(0, 1); // no colour cache
  w.write(0, 1); // no meta prefix codes
  for (const symbol of [rgb[1], rgb[0], rgb[2], 0xff, 0]) { // green, red, blue, alpha, distance
    w.write(1, 1); // simple code
    w.write(0, 1); // one symbol
    w.write(1, 1); // 8-bit symbol
    w.write(symbol, 8);
  }
  const vp8l = w.done();
  const body = vp8l.length % 2 ? Buffer.concat([vp8l, Buffer.alloc(1)]) : vp8l;
  const chunkHead = Buffer.alloc(8);
  chunkHead.write('VP8L', 0, 'latin1');
  chunkHead.writeUInt32LE(vp8l.length, 4);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + 8 + body.length, 4);
  riff.write('WEBP', 8, 'latin1');
  return Buffer.concat([riff, chunkHead, body]);
}

/**
 * A GIF89a of one colour. The LZW stream is "uncompressed": a clear code before every two pixels keeps codes at
 * 3 bits, so it is about 4.5 bits a pixel (sizes are capped by the caller).
 * @param {number} width @param {number} height @returns {Buffer}
 */
function makeGif(width, height) {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(width, 6);
  head.writeUInt16LE(height, 8);
  head[10] = 0x80; // global colour table of 2 entries
  const palette = Buffer.from([0x33, 0x66, 0xaa, 0xff, 0xff, 0xff]);
  const desc = Buffer.alloc(10);
  desc[0] = 0x2c;
  desc.writeUInt16LE(width, 5);
  desc.writeUInt16LE(height, 7);
  const w = new BitWriter(); // GIF packs LZW codes least-significant first too
  const CLEAR = 4;
  const END = 5;
  let left = width * height;
  while (left > 0) {
    w.write(CLEAR, 3);
    w.write(0, 3);
    if (left > 1) w.write(0, 3);
    left -= 2;
  }
  w.write(END, 3);
  const lzw = w.done();
  /** @type {Buffer[]} */
  const blocks = [Buffer.from([2])]; // minimum code size
  for (let i = 0; i < lzw.length; i += 255) {
    const part = lzw.subarray(i, i + 255);
    blocks.push(Buffer.from([part.length]), part);
  }
  blocks.push(Buffer.from([0]));
  return Buffer.concat([head, palette, desc, ...blocks, Buffer.from([0x3b])]);
}

module.exports = { makePng, makeJpeg, makeWebp, makeGif, pngChunk, ihdr, PNG_SIGNATURE };
