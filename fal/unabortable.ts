import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { CREDENTIAL_TYPE, falAuthorization } from './account';
import type { N8nContext } from './session';

/**
 * A keyed request that n8n's Stop does not abort. n8n 2.x puts the execution's cancel signal on every
 * `httpRequestWithAuthentication` call, so once Stop is pressed that helper can send nothing, and a request in
 * flight is aborted. Two requests must not be: a submit (aborted in flight, it may leave a paid job on fal whose
 * request id the node never learns) and the cancel that follows Stop. They go through n8n's plain helper with the
 * header the credential adds (built by `falAuthorization`, as the credential builds it), only to a URL built from
 * the credential's origin, and follow no redirect, so the key cannot travel anywhere else.
 */

async function credentialHeaders(ctx: N8nContext): Promise<Record<string, string>> {
	const { apiKey } = await ctx.getCredentials(CREDENTIAL_TYPE);
	return { Authorization: falAuthorization(apiKey) };
}

export async function sendUnabortable(ctx: N8nContext, options: IHttpRequestOptions): Promise<IN8nHttpFullResponse> {
	const headers = { ...options.headers, ...(await credentialHeaders(ctx)) };
	return (await ctx.helpers.httpRequest({ ...options, headers, disableFollowRedirect: true })) as IN8nHttpFullResponse;
}
