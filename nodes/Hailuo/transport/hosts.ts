/**
 * fal's hosts, as fal's own client uses them. A credential's Base URL replaces the origin of all of
 * them (paths unchanged), which is how a proxy or the test emulator is reached.
 */
export const FAL_QUEUE_ORIGIN = 'https://queue.fal.run';
export const FAL_STORAGE_ORIGIN = 'https://rest.fal.ai';
export const FAL_API_ORIGIN = 'https://api.fal.ai';

export const CREDENTIAL_TYPE = 'hailuoApi';

/** fal's pricing call: free, but it needs a valid key, so the credential test uses it. */
export const PRICING_PATH = '/v1/models/pricing';
export const PRICING_QUERY = {
	endpoint_id: 'fal-ai/minimax/hailuo-2.3/standard/image-to-video',
};

export interface FalOrigins {
	queue: string;
	storage: string;
	api: string;
}

export function falOrigins(baseUrl: unknown): FalOrigins {
	const override = typeof baseUrl === 'string' ? baseUrl.trim().replace(/\/+$/, '') : '';
	if (override) return { queue: override, storage: override, api: override };
	return { queue: FAL_QUEUE_ORIGIN, storage: FAL_STORAGE_ORIGIN, api: FAL_API_ORIGIN };
}
