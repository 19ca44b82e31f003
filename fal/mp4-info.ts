/**
 * What a video is, read from its `moov` box (ISO/IEC 14496-12): how long it plays, its picture's size as shown,
 * and whether it carries sound. Pure: takes the bytes of the moov box's content, reads nothing else. A field is
 * null when the file does not say it (or says it in a way this reader does not follow); a malformed box never
 * throws.
 */
export interface VideoFacts {
	durationSeconds: number | null;
	width: number | null;
	height: number | null;
	hasAudio: boolean | null;
}

export const UNKNOWN_FACTS: VideoFacts = { durationSeconds: null, width: null, height: null, hasAudio: null };

interface Box {
	type: string;
	/** The box's content: after its header (size, type, and a 64-bit size when there is one). */
	body: Buffer;
}

/** The boxes directly inside `data`, in order; stops at the first one that does not fit. */
function children(data: Buffer): Box[] {
	const boxes: Box[] = [];
	for (let at = 0; at + 8 <= data.length; ) {
		let size = data.readUInt32BE(at);
		let header = 8;
		if (size === 1) {
			if (at + 16 > data.length) break;
			size = Number(data.readBigUInt64BE(at + 8));
			header = 16;
		} else if (size === 0) {
			size = data.length - at;
		}
		if (size < header || at + size > data.length) break;
		boxes.push({ type: data.toString('latin1', at + 4, at + 8), body: data.subarray(at + header, at + size) });
		at += size;
	}
	return boxes;
}

function child(data: Buffer | undefined, type: string): Buffer | undefined {
	return data && children(data).find((box) => box.type === type)?.body;
}

/** A duration in seconds from a full box's timescale and duration fields (versions 0 and 1); null if unknown. */
function seconds(body: Buffer | undefined, v0: number, v1: number): number | null {
	if (!body || body.length < 4) return null;
	const version = body.readUInt8(0);
	const at = version === 1 ? v1 : v0;
	const wide = version === 1;
	if (body.length < at + 4 + (wide ? 8 : 4)) return null;
	const timescale = body.readUInt32BE(at);
	const duration = wide ? body.readBigUInt64BE(at + 4) : BigInt(body.readUInt32BE(at + 4));
	const unknown = wide ? 0xffffffffffffffffn : 0xffffffffn;
	if (timescale === 0 || duration === 0n || duration === unknown) return null;
	return Math.round((Number(duration) / timescale) * 1000) / 1000;
}

/** mvhd: version, flags, creation and modification times, then timescale and duration. */
const movieSeconds = (mvhd: Buffer | undefined) => seconds(mvhd, 12, 20);

/** mehd (a fragmented file's whole duration, in the movie's timescale), read with mvhd's timescale. */
function fragmentedSeconds(mvhd: Buffer | undefined, mehd: Buffer | undefined): number | null {
	if (!mvhd || !mehd || mehd.length < 8) return null;
	const timescale = mvhd.readUInt8(0) === 1 ? mvhd.readUInt32BE(20) : mvhd.readUInt32BE(12);
	const duration = mehd.readUInt8(0) === 1 ? (mehd.length >= 12 ? Number(mehd.readBigUInt64BE(4)) : 0) : mehd.readUInt32BE(4);
	return timescale && duration ? Math.round((duration / timescale) * 1000) / 1000 : null;
}

/** A track's handler type (`vide`, `soun`…) from mdia/hdlr: version, flags, pre_defined, then the type. */
function handlerType(trak: Buffer): string | undefined {
	const hdlr = child(child(trak, 'mdia'), 'hdlr');
	return hdlr && hdlr.length >= 12 ? hdlr.toString('latin1', 8, 12) : undefined;
}

/**
 * A video track's size as shown. tkhd gives the presentation size (16.16 fixed point) and a matrix that places
 * it on screen; a quarter turn (a phone's portrait video) swaps width and height. The size shown is the bounding
 * box of the transformed picture: |a|w + |c|h by |b|w + |d|h. When tkhd says 0 × 0, the first sample entry's
 * coded size (stsd) is taken, untransformed.
 */
function shownSize(trak: Buffer): { width: number; height: number } | undefined {
	const tkhd = child(trak, 'tkhd');
	if (tkhd && tkhd.length >= 4) {
		const at = tkhd.readUInt8(0) === 1 ? 52 : 40; // the matrix, after the times, ids, duration, layer, volume
		if (tkhd.length >= at + 44) {
			const fixed = (i: number) => tkhd.readInt32BE(at + i * 4) / 0x10000;
			const [a, b, c, d] = [fixed(0), fixed(1), fixed(3), fixed(4)];
			const w = tkhd.readUInt32BE(at + 36) / 0x10000;
			const h = tkhd.readUInt32BE(at + 40) / 0x10000;
			if (w > 0 && h > 0) {
				return { width: Math.round(Math.abs(a) * w + Math.abs(c) * h), height: Math.round(Math.abs(b) * w + Math.abs(d) * h) };
			}
		}
	}
	const stsd = child(child(child(child(trak, 'mdia'), 'minf'), 'stbl'), 'stsd');
	// stsd: version, flags, entry count, then the first VisualSampleEntry: size, type, 24 bytes, width, height
	if (!stsd || stsd.length < 8 + 36) return undefined;
	const width = stsd.readUInt16BE(8 + 32);
	const height = stsd.readUInt16BE(8 + 34);
	return width > 0 && height > 0 ? { width, height } : undefined;
}

/** The facts of a video from its moov box's content. */
export function videoFacts(moov: Buffer): VideoFacts {
	try {
		const boxes = children(moov);
		const mvhd = boxes.find((box) => box.type === 'mvhd')?.body;
		const tracks = boxes.filter((box) => box.type === 'trak').map((box) => box.body);
		const kinds = tracks.map(handlerType);
		const video = tracks.find((trak, i) => kinds[i] === 'vide' && shownSize(trak));
		const size = video ? shownSize(video) : undefined;
		return {
			durationSeconds: movieSeconds(mvhd) ?? fragmentedSeconds(mvhd, child(child(moov, 'mvex'), 'mehd')),
			width: size?.width ?? null,
			height: size?.height ?? null,
			// Every track's handler was read: a file whose tracks say nothing of their kind does not say it has no sound.
			hasAudio: kinds.includes('soun') ? true : tracks.length > 0 && kinds.every((kind) => kind !== undefined) ? false : null,
		};
	} catch {
		return UNKNOWN_FACTS;
	}
}
