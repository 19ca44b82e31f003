import { createHash, createPublicKey, verify, type KeyObject } from 'crypto';

/**
 * fal's webhook signatures (fal's docs, "Verifying your webhook"): fal signs each delivery with ED25519 over
 *   request id + "\n" + user id + "\n" + timestamp + "\n" + sha256 hex of the raw body,
 * sends the parts in the headers x-fal-webhook-request-id, -user-id, -timestamp (Unix seconds) and -signature (hex),
 * and publishes its public keys as a JWKS. A delivery is genuine when any published key verifies it and its
 * timestamp is within five minutes of now. Pure: no I/O (the keys are fetched by the caller).
 */

export interface WebhookKey {
	kty?: string;
	crv?: string;
	x?: string;
	kid?: string;
}

export interface SignedDelivery {
	requestId: string;
	userId: string;
	timestamp: string;
	signature: Buffer;
}

/** How far a delivery's timestamp may be from now (a replayed old delivery is refused). */
export const TIMESTAMP_WINDOW_SECONDS = 300;

const HEADERS = {
	requestId: 'x-fal-webhook-request-id',
	userId: 'x-fal-webhook-user-id',
	timestamp: 'x-fal-webhook-timestamp',
	signature: 'x-fal-webhook-signature',
} as const;

type Headers = Record<string, string | string[] | undefined>;

function one(headers: Headers, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** The signature headers of a delivery, or the name of the first one missing. */
export function signedParts(headers: Headers): SignedDelivery | { missing: string } {
	const parts: Record<string, string> = {};
	for (const [part, name] of Object.entries(HEADERS)) {
		const value = one(headers, name)?.trim();
		if (!value) return { missing: name };
		parts[part] = value;
	}
	if (!/^[0-9a-f]+$/i.test(parts.signature) || parts.signature.length % 2 !== 0) return { missing: `${HEADERS.signature} (not hex)` };
	return { requestId: parts.requestId, userId: parts.userId, timestamp: parts.timestamp, signature: Buffer.from(parts.signature, 'hex') };
}

/** Why the timestamp is refused, or undefined when it is within the window. */
export function timestampProblem(timestamp: string, nowSeconds: number): string | undefined {
	const seconds = Number(timestamp);
	if (!Number.isFinite(seconds)) return `the timestamp "${timestamp.slice(0, 20)}" is no number`;
	const off = Math.abs(nowSeconds - seconds);
	return off > TIMESTAMP_WINDOW_SECONDS ? `the timestamp is ${Math.round(off)} s from now (at most ${TIMESTAMP_WINDOW_SECONDS} s)` : undefined;
}

/** The bytes fal signed for this delivery. */
export function signedMessage(delivery: SignedDelivery, rawBody: Buffer): Buffer {
	const bodyHash = createHash('sha256').update(rawBody).digest('hex');
	return Buffer.from(`${delivery.requestId}\n${delivery.userId}\n${delivery.timestamp}\n${bodyHash}`, 'utf8');
}

/** A JWKS key as a public key; fal's `x` may carry base64 padding, which a JWK must not. */
function publicKeyOf(key: WebhookKey): KeyObject | undefined {
	if (key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.x !== 'string') return undefined;
	try {
		return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x.replace(/=+$/, '') }, format: 'jwk' });
	} catch {
		return undefined;
	}
}

/** Whether any of the keys verifies the delivery's signature over its raw body. */
export function verifiedByAny(delivery: SignedDelivery, rawBody: Buffer, keys: readonly WebhookKey[]): boolean {
	const message = signedMessage(delivery, rawBody);
	return keys.some((key) => {
		const publicKey = publicKeyOf(key);
		return publicKey !== undefined && verify(null, message, publicKey, delivery.signature);
	});
}
