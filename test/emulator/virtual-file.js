// @ts-check
'use strict';

/**
 * A file made of byte segments and runs of zeros, read by range in chunks and never held whole in memory (the CDN's
 * padded video, the sample host's big PNGs).
 */

const CHUNK = 64 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

/** @typedef {Buffer | { zeros: number }} Segment */

/**
 * @typedef {object} VirtualFile
 * @property {number} size
 * @property {(start: number, end: number) => Generator<Buffer>} read  inclusive byte range, in chunks of 64 KB at most
 */

/** @param {Segment} s @returns {number} */
const segmentSize = (s) => (Buffer.isBuffer(s) ? s.length : s.zeros);

/**
 * @param {Segment[]} segments
 * @returns {VirtualFile}
 */
function virtualFile(segments) {
  const size = segments.reduce((n, s) => n + segmentSize(s), 0);
  return {
    size,
    *read(start, end) {
      let offset = 0; // where the current segment starts in the file
      for (const s of segments) {
        const len = segmentSize(s);
        const from = Math.max(start, offset);
        const to = Math.min(end + 1, offset + len); // exclusive
        for (let pos = from; pos < to;) {
          const n = Math.min(CHUNK, to - pos);
          if (Buffer.isBuffer(s)) yield s.subarray(pos - offset, pos - offset + n);
          else yield n === CHUNK ? ZEROS : ZEROS.subarray(0, n);
          pos += n;
        }
        offset += len;
        if (offset > end) return;
      }
    },
  };
}

module.exports = { virtualFile, ZEROS, CHUNK };
