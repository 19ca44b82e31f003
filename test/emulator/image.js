// @ts-check
'use strict';

/**
 * Reads an image's format and pixel size from its header bytes (PNG, JPEG, WebP; GIF and BMP to refuse them), and
 * checks a first- or last-frame image against MODEL_LIMITS the way the model would after fetching it.
 */

const { MODEL_LIMITS } = require('./schema');

/** @typedef {{ format: 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp', width: number, height: number }} ImageInfo */

/** @param {Buffer} b @returns {ImageInfo | null} */
function sniffImage(b) {
  // PNG: signature, then the IHDR chunk with width and height.
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  // JPEG: walk the segments to the first SOFn marker.
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1];
      if (marker === 0xff) {
        i += 1;
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      const len = b.readUInt16BE(i + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) return { format: 'jpeg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      i += 2 + len;
    }
    return null;
  }
  // WebP: RIFF....WEBP then VP8 / VP8L / VP8X.
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const kind = b.toString('latin1', 12, 16);
    if (kind === 'VP8 ') return { format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (kind === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8X') return { format: 'webp', width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  }
  // GIF and BMP: images, in formats the model does not take.
  if (b.length >= 10 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) {
    return { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 26 && b.toString('latin1', 0, 2) === 'BM') {
    return { format: 'bmp', width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) };
  }
  return null;
}

/**
 * Checks a fetched frame image against the model's limits.
 * @param {Buffer} bytes
 * @returns {{ type: string, msg: string, ctx?: Record<string, unknown> } | null}  null when the image is fine
 */
function checkImage(bytes) {
  const L = MODEL_LIMITS;
  if (bytes.length >= L.imageMaxBytes) {
    return { type: 'file_too_large', msg: 'File size exceeds the maximum allowed size', ctx: { max_size: L.imageMaxBytes } };
  }
  const info = sniffImage(bytes);
  if (!info) {
    return { type: 'image_load_error', msg: 'Failed to load the image. Supported formats: JPEG, PNG, WebP.' };
  }
  if (!L.imageFormats.includes(info.format)) {
    return {
      type: 'unsupported_image_format',
      msg: `Unsupported image format: ${info.format.toUpperCase()}. Supported formats: JPEG, PNG, WebP.`,
      ctx: { supported_formats: [...L.imageFormats] },
    };
  }
  const short = Math.min(info.width, info.height);
  if (short < L.imageMinShortSide) {
    return {
      type: 'image_too_small',
      msg: `Image too small: the short side must be over ${L.imageMinShortSide - 1} px (got ${info.width}x${info.height})`,
      ctx: { min_height: L.imageMinShortSide, min_width: L.imageMinShortSide },
    };
  }
  const aspect = info.width / info.height;
  if (aspect < L.imageMinAspect || aspect > L.imageMaxAspect) {
    return {
      type: 'value_error',
      msg: `Image aspect ratio must be between 2:5 and 5:2 (got ${info.width}x${info.height})`,
      ctx: { min_aspect_ratio: L.imageMinAspect, max_aspect_ratio: L.imageMaxAspect },
    };
  }
  return null;
}

module.exports = { sniffImage, checkImage };
