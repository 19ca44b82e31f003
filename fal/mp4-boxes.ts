import { UNKNOWN_FACTS, videoFacts, type VideoFacts } from './mp4-info';

/**
 * An MP4 walked at its top level as it streams by, chunk by chunk: whether its boxes (size, type) follow each
 * other to the last byte with a `moov` box among them, and what the video is (mp4-info.ts reads the moov box).
 * Keeps no bytes but the few of a box header cut between two chunks and the moov box's content, which may come
 * first (a "faststart" file) or after the media data; every other box, `mdat` above all, is skipped by count. A
 * moov box larger than MAX_MOOV_BYTES is skipped too (its facts then stay unknown). Pure: no I/O.
 */

/** A moov box describes the samples of a file; a 15 s video's is some tens of KB, an hour of film's a few MB. */
export const MAX_MOOV_BYTES = 4 * 1024 * 1024;

export class Mp4Boxes {
	/** Where the next top-level box starts, counted from the first byte. */
	private nextBoxAt = 0;

	private received = 0;

	private header = Buffer.alloc(0);

	private sawMoov = false;

	/** The box header runs to its end (size 0), or a size could not be read: the walk is over. */
	private broken = false;

	private toEnd = false;

	/** The moov box's content while it streams in: where it starts in the file, and how much has come. */
	private moov: { at: number; data: Buffer; filled: number } | undefined;

	private found: VideoFacts | undefined;

	take(chunk: Buffer): void {
		const chunkStart = this.received;
		this.received += chunk.length;
		this.fillMoov(chunk, chunkStart);
		while (!this.broken && !this.toEnd && this.nextBoxAt + this.header.length < this.received) {
			// 8 bytes of size and type; 8 more when the size is 1 (a 64-bit size follows)
			const need = this.header.length >= 8 && this.header.readUInt32BE(0) === 1 ? 16 : 8;
			const from = this.nextBoxAt + this.header.length - chunkStart;
			this.header = Buffer.concat([this.header, chunk.subarray(from, from + need - this.header.length)]);
			if (this.header.length < need) return;
			if (need === 8 && this.header.readUInt32BE(0) === 1) continue;
			this.readHeader();
			this.fillMoov(chunk, chunkStart);
		}
	}

	private readHeader(): void {
		const size32 = this.header.readUInt32BE(0);
		const type = this.header.toString('latin1', 4, 8);
		const headerBytes = this.header.length;
		const size = size32 === 1 ? Number(this.header.readBigUInt64BE(8)) : size32;
		this.header = Buffer.alloc(0);
		if (size32 === 0) {
			if (type === 'moov') this.sawMoov = true; // content of unknown length: its facts stay unknown
			this.toEnd = true;
			return;
		}
		if (size < headerBytes || !/^[\x20-\x7e]{4}$/.test(type)) {
			this.broken = true;
			return;
		}
		if (type === 'moov') {
			this.sawMoov = true;
			if (!this.found && !this.moov && size - headerBytes <= MAX_MOOV_BYTES) {
				this.moov = { at: this.nextBoxAt + headerBytes, data: Buffer.alloc(size - headerBytes), filled: 0 };
			}
		}
		this.nextBoxAt += size;
	}

	/** Copies the part of the moov box's content that is in this chunk; reads the facts once it is all here. */
	private fillMoov(chunk: Buffer, chunkStart: number): void {
		const moov = this.moov;
		if (!moov) return;
		const from = moov.at + moov.filled - chunkStart;
		if (from >= chunk.length) return;
		moov.filled += chunk.copy(moov.data, moov.filled, Math.max(0, from));
		if (moov.filled < moov.data.length) return;
		this.found = videoFacts(moov.data);
		this.moov = undefined;
	}

	/** After the last byte: whether the boxes ended exactly there and a `moov` came. */
	whole(): boolean {
		if (this.broken || !this.sawMoov) return false;
		return this.toEnd || this.nextBoxAt === this.received;
	}

	/** What the video is, as far as its moov box (once all of it has come) says. */
	facts(): VideoFacts {
		return this.found ?? UNKNOWN_FACTS;
	}

	get bytes(): number {
		return this.received;
	}
}
