/**
 * An image's format and pixel size, read from the first bytes of its file (PNG, JPEG, WebP), the way
 * the model will see it. Pure: no I/O.
 */

export type ImageFormat = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';

export interface ImageHeader {
	format: ImageFormat;
	/** Unknown when the bytes end before the size is stated (a truncated file). */
	width?: number;
	height?: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function png(bytes: Buffer): ImageHeader {
	if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return { format: 'image/png' };
	return { format: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function isStartOfFrame(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the size. */
function jpeg(bytes: Buffer): ImageHeader {
	let i = 2;
	while (i + 9 < bytes.length) {
		if (bytes[i] !== 0xff) break;
		const marker = bytes[i + 1];
		if (marker === 0xff) {
			i += 1;
			continue;
		}
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			i += 2;
			continue;
		}
		if (isStartOfFrame(marker)) {
			return { format: 'image/jpeg', height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
		}
		i += 2 + bytes.readUInt16BE(i + 2);
	}
	return { format: 'image/jpeg' };
}

function webp(bytes: Buffer): ImageHeader {
	if (bytes.length < 30) return { format: 'image/webp' };
	const kind = bytes.toString('latin1', 12, 16);
	if (kind === 'VP8 ') {
		return { format: 'image/webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
	}
	if (kind === 'VP8L') {
		const bits = bytes.readUInt32LE(21);
		return { format: 'image/webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
	}
	if (kind === 'VP8X') {
		return { format: 'image/webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
	}
	return { format: 'image/webp' };
}

/** The format and size from the first bytes of an image file, or undefined when it is no image we know. */
export function readImageHeader(bytes: Buffer): ImageHeader | undefined {
	if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return png(bytes);
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpeg(bytes);
	if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
		return webp(bytes);
	}
	if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.toString('latin1', 0, 6))) return { format: 'image/gif' };
	return undefined;
}

/** Bytes enough to find the size in nearly every image (a JPEG's EXIF block can push it far down). */
export const IMAGE_HEADER_BYTES = 256 * 1024;
