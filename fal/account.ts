/**
 * What the credential and the fal transport share, so that neither reaches into the other: the credential's type
 * name, fal's hosts and how a Base URL replaces them, the Authorization value, and the credential test's request.
 *
 * fal's hosts, as fal's own client uses them. A credential's Base URL replaces the origin of all of
 * them (paths unchanged), which is how a proxy or the test emulator is reached.
 */
export const FAL_QUEUE_ORIGIN = 'https://queue.fal.run';
export const FAL_STORAGE_ORIGIN = 'https://rest.fal.ai';
export const FAL_API_ORIGIN = 'https://api.fal.ai';
/** Where fal publishes the public keys its webhooks are signed with (fal's docs, "Verifying your webhook"). */
export const FAL_JWKS_URL = 'https://rest.alpha.fal.ai/.well-known/jwks.json';
export const JWKS_PATH = '/.well-known/jwks.json';

export const CREDENTIAL_TYPE = 'hailuoApi';

/**
 * The Authorization value for a fal key: `Key <key>` (fal's scheme, not Bearer); a key pasted with a leading
 * "Key " or "Bearer " works too. The credential's `authenticate` and the unabortable requests both use it.
 */
export function falAuthorization(apiKey: unknown): string {
	return `Key ${String(apiKey).trim().replace(/^(key|bearer)\s+/i, '').trim()}`;
}

/** fal's pricing call: free, but fal's API reference asks for an ADMIN-scope key (fal's keys are API scope by default). */
export const PRICING_PATH = '/v1/models/pricing';

/**
 * The credential test: the first step of fal's storage upload, as fal's own client sends it. Every valid key
 * may upload inputs, whatever its scope, so a valid key gets an upload URL and a wrong one 401; nothing is
 * uploaded to it, billed or kept. fal's model catalogue answers a wrong key 200, and its pricing call may
 * refuse API-scope keys, so neither can tell a good key from a bad one.
 */
export const KEY_CHECK = {
	url: '/storage/upload/initiate',
	method: 'POST' as const,
	qs: { storage_type: 'fal-cdn-v3' },
	body: { content_type: 'text/plain', file_name: 'n8n-credential-test.txt' },
};

export interface FalOrigins {
	queue: string;
	storage: string;
	api: string;
	/** The full URL of fal's webhook keys (a JWKS). */
	jwks: string;
}

export function falOrigins(baseUrl: unknown): FalOrigins {
	const override = typeof baseUrl === 'string' ? baseUrl.trim().replace(/\/+$/, '') : '';
	if (override) return { queue: override, storage: override, api: override, jwks: `${override}${JWKS_PATH}` };
	return { queue: FAL_QUEUE_ORIGIN, storage: FAL_STORAGE_ORIGIN, api: FAL_API_ORIGIN, jwks: FAL_JWKS_URL };
}
