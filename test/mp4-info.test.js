// What a video is, read from its MP4 as the bytes go by (fal/mp4-boxes.ts walks the top-level boxes and keeps only
// the moov box, fal/mp4-info.ts reads it): pure, on the committed samples of test/fixtures/mp4 (README there: how
// each was made, and what ffprobe says of it) and on boxes built here for what ffmpeg does not write.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { Mp4Boxes, MAX_MOOV_BYTES } = require('../dist/fal/mp4-boxes');
const { videoFacts } = require('../dist/fal/mp4-info');

const sample = (name) => readFileSync(path.join(__dirname, 'fixtures/mp4', name));

/** Feeds `bytes` in chunks of `size` (the last one shorter). */
function walk(bytes, size = bytes.length) {
	const boxes = new Mp4Boxes();
	for (let at = 0; at < bytes.length; at += size) boxes.take(bytes.subarray(at, at + size));
	return boxes;
}

// What ffprobe says of each sample (format duration; the video stream's width and height as shown; an audio stream).
const SAMPLES = [
	['faststart-stereo-aac.mp4', { durationSeconds: 2, width: 160, height: 90, hasAudio: true }],
	['moov-at-end-no-audio.mp4', { durationSeconds: 1.5, width: 120, height: 68, hasAudio: false }],
	['1080p.mp4', { durationSeconds: 1, width: 1920, height: 1080, hasAudio: false }],
	['9x16.mp4', { durationSeconds: 1, width: 108, height: 192, hasAudio: false }],
	// coded 192x108 with a quarter-turn display matrix (ffprobe: width=192 height=108 rotation=90): shown 108x192
	['rotated-90.mp4', { durationSeconds: 1, width: 108, height: 192, hasAudio: false }],
	['../../emulator/fixtures/video.mp4', { durationSeconds: 3, width: 432, height: 768, hasAudio: false }],
];

describe('the facts of each sample, whatever the chunks', () => {
	test.each(SAMPLES)('%s', (name, facts) => {
		const bytes = sample(name);
		for (const size of [bytes.length, 4096, 1000, 7, 1]) {
			const boxes = walk(bytes, size);
			expect({ size, facts: boxes.facts() }).toEqual({ size, facts });
			expect(boxes.whole()).toBe(true);
			expect(boxes.bytes).toBe(bytes.length);
		}
	});

	test('a faststart file says what it is before its media data has come', () => {
		const bytes = sample('faststart-stereo-aac.mp4');
		const mdat = bytes.indexOf('mdat', 0, 'latin1') - 4;
		const boxes = walk(bytes.subarray(0, mdat + 8));
		expect(boxes.facts()).toEqual({ durationSeconds: 2, width: 160, height: 90, hasAudio: true });
		expect(boxes.whole()).toBe(false);
	});

	test('a file cut before its moov box (at the end) says nothing, and is not whole', () => {
		const bytes = sample('moov-at-end-no-audio.mp4');
		const moov = bytes.indexOf('moov', 0, 'latin1') - 4;
		for (const cut of [moov, moov + 100]) {
			const boxes = walk(bytes.subarray(0, cut), 512);
			expect(boxes.facts()).toEqual({ durationSeconds: null, width: null, height: null, hasAudio: null });
			expect(boxes.whole()).toBe(false);
		}
	});
});

// ISO BMFF boxes, built for the cases ffmpeg does not write.
const u32 = (n) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const u64 = (n) => Buffer.concat([u32(Math.floor(n / 2 ** 32)), u32(n % 2 ** 32)]);
const box = (type, ...parts) => {
	const body = Buffer.concat(parts);
	return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]);
};
const zeros = (n) => Buffer.alloc(n);
const IDENTITY = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000];
const mvhd1 = (timescale, duration) => box('mvhd', u32(0x01000000), u64(0), u64(0), u32(timescale), u64(duration), zeros(80));
const tkhd1 = (width, height) =>
	box('tkhd', u32(0x01000003), u64(0), u64(0), u32(1), zeros(4), u64(0), zeros(16), ...IDENTITY.map(u32), u32(width * 0x10000), u32(height * 0x10000));
const hdlr = (kind) => box('hdlr', zeros(8), Buffer.from(kind, 'latin1'), zeros(12), Buffer.from('\0'));
const trak = (...parts) => box('trak', ...parts);
const mdia = (...parts) => box('mdia', ...parts);
/** stsd with one VisualSampleEntry of this coded size. */
const stsd = (width, height) =>
	box('minf', box('stbl', box('stsd', u32(0), u32(1), box('avc1', zeros(24), Buffer.from([width >> 8, width & 255, height >> 8, height & 255]), zeros(50)))));
const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200));

describe('what the boxes say, box by box', () => {
	test('version 1 mvhd and tkhd (64-bit times): duration and size', () => {
		const moov = box('moov', mvhd1(90000, 90000 * 12.5), trak(tkhd1(1280, 720), mdia(hdlr('vide'))), trak(tkhd1(0, 0), mdia(hdlr('soun'))));
		expect(walk(Buffer.concat([ftyp, moov]), 3).facts()).toEqual({ durationSeconds: 12.5, width: 1280, height: 720, hasAudio: true });
	});

	test('an unknown duration (all ones), a video size only in the sample entry, no sound', () => {
		const mvhd = box('mvhd', u32(0), u32(0), u32(0), u32(1000), u32(0xffffffff), zeros(80));
		const moov = box('moov', mvhd, trak(tkhd1(0, 0), mdia(hdlr('vide'), stsd(640, 360))));
		expect(videoFacts(moov.subarray(8))).toEqual({ durationSeconds: null, width: 640, height: 360, hasAudio: false });
	});

	test('a track whose kind is not said: no claim about sound; no moov content at all: nothing', () => {
		expect(videoFacts(box('moov', mvhd1(1000, 4000), trak(tkhd1(320, 240))).subarray(8))).toEqual({
			durationSeconds: 4,
			width: null,
			height: null,
			hasAudio: null,
		});
		expect(videoFacts(Buffer.alloc(0))).toEqual({ durationSeconds: null, width: null, height: null, hasAudio: null });
		expect(videoFacts(Buffer.from('garbage that is not a box at all'))).toEqual({ durationSeconds: null, width: null, height: null, hasAudio: null });
	});

	test('a 64-bit mdat of 256 MB before the moov is skipped by count: not held, and the file is whole', () => {
		const moov = box('moov', mvhd1(1000, 6000), trak(tkhd1(768, 1344), mdia(hdlr('vide'))));
		const mdatBytes = 256 * 1024 * 1024;
		const chunk = Buffer.alloc(1024 * 1024); // one buffer, fed again and again: only a copy would cost memory
		const boxes = new Mp4Boxes();
		boxes.take(ftyp);
		boxes.take(Buffer.concat([u32(1), Buffer.from('mdat', 'latin1'), u64(mdatBytes)]));
		global.gc?.();
		const before = process.memoryUsage().arrayBuffers;
		for (let sent = 16; sent < mdatBytes; sent += chunk.length) boxes.take(chunk.subarray(0, Math.min(chunk.length, mdatBytes - sent)));
		expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
		boxes.take(moov);
		expect(boxes.facts()).toEqual({ durationSeconds: 6, width: 768, height: 1344, hasAudio: false });
		expect(boxes.whole()).toBe(true);
	});

	test(`a moov box over ${MAX_MOOV_BYTES / 1024 / 1024} MB is not held: its facts stay unknown, the walk goes on`, () => {
		const moov = box('moov', mvhd1(1000, 6000), trak(tkhd1(768, 1344), mdia(hdlr('vide'))), box('free', zeros(MAX_MOOV_BYTES)));
		const boxes = walk(Buffer.concat([ftyp, moov, box('mdat', zeros(100))]), 65536);
		expect(boxes.facts()).toEqual({ durationSeconds: null, width: null, height: null, hasAudio: null });
		expect(boxes.whole()).toBe(true);
	});
});
