import type { IN8nHttpFullResponse } from 'n8n-workflow';

/** Reading an HTTP answer of n8n's helpers: a header's value, a body that may be JSON. */

export function header(response: IN8nHttpFullResponse, name: string): string | undefined {
	const value = response.headers?.[name];
	return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** The body as JSON when it is JSON text, else as it came. */
export function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}
