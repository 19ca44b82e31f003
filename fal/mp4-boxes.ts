/**
 * Whether a stream of bytes is a whole MP4 at its top level: boxes (size, type) that follow each other to
 * the last byte, with a `moov` box among them. Fed chunk by chunk as the video streams by; keeps no bytes
 * but the few of a box header cut between two chunks. Pure: no I/O.
 */
export class Mp4Boxes {
	/** Where the next top-level box starts, counted from the first byte. */
	private nextBoxAt = 0;

	private received = 0;

	private header = Buffer.alloc(0);

	private sawMoov = false;

	/** The box header runs to its end (size 0), or a size could not be read: the walk is over. */
	private broken = false;

	private toEnd = false;

	take(chunk: Buffer): void {
		const chunkStart = this.received;
		this.received += chunk.length;
		while (!this.broken && !this.toEnd && this.nextBoxAt + this.header.length < this.received) {
			// 8 bytes of size and type; 8 more when the size is 1 (a 64-bit size follows)
			const need = this.header.length >= 8 && this.header.readUInt32BE(0) === 1 ? 16 : 8;
			const from = this.nextBoxAt + this.header.length - chunkStart;
			this.header = Buffer.concat([this.header, chunk.subarray(from, from + need - this.header.length)]);
			if (this.header.length < need) return;
			if (need === 8 && this.header.readUInt32BE(0) === 1) continue;
			this.readHeader();
		}
	}

	private readHeader(): void {
		const size32 = this.header.readUInt32BE(0);
		const type = this.header.toString('latin1', 4, 8);
		const size = size32 === 1 ? Number(this.header.readBigUInt64BE(8)) : size32;
		if (type === 'moov') this.sawMoov = true;
		this.header = Buffer.alloc(0);
		if (size32 === 0) {
			this.toEnd = true;
			return;
		}
		if (size < 8 || !/^[\x20-\x7e]{4}$/.test(type)) {
			this.broken = true;
			return;
		}
		this.nextBoxAt += size;
	}

	/** After the last byte: whether the boxes ended exactly there and a `moov` came. */
	whole(): boolean {
		if (this.broken || !this.sawMoov) return false;
		return this.toEnd || this.nextBoxAt === this.received;
	}

	get bytes(): number {
		return this.received;
	}
}
