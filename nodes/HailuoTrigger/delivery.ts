import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { CREDENTIAL_TYPE, falOrigins } from '../../fal/account';
import { signedParts, timestampProblem } from '../../fal/webhook-signature';
import { firstDelivery } from './delivered-jobs';
import type { TriggerOptions } from './description';
import { verifiedByFal } from './webhook-keys';

/**
 * A delivery from fal, as the trigger's webhook receives it: checked against fal's signature before anything runs
 * (401 and no execution otherwise), a repeat of a job already delivered answered and dropped, and fal answered at
 * once. What the execution gets is the job's request id, fal's status and error words, and the query parameters
 * of the URL fal called (those of Submit's Webhook URL); the video is read from fal by request id in the execution
 * (collect.ts), never taken from the delivery's body.
 */

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why the delivery is not fal's, or undefined when its signature checks out. */
async function forgeryProblem(ctx: IWebhookFunctions, requestId: string, rawBody: Buffer | undefined): Promise<string | undefined> {
	const parts = signedParts(ctx.getHeaderData() as Record<string, string | string[] | undefined>);
	if ('missing' in parts) return `no ${parts.missing} header`;
	if (!rawBody) return 'the raw body is not available to check the signature';
	if (parts.requestId !== requestId) return 'the signed request id is not the body\'s';
	const late = timestampProblem(parts.timestamp, Date.now() / 1000);
	if (late) return late;
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const { jwks } = falOrigins(credentials.baseUrl);
	return (await verifiedByFal(ctx, jwks, parts, rawBody)) ? undefined : 'no key fal publishes verifies the signature';
}

function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): void {
	ctx.getResponseObject().status(status).json(body);
}

export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const options = this.getNodeParameter('options', {}) as TriggerOptions;
	const body = this.getBodyData();
	const requestId = typeof body.request_id === 'string' ? body.request_id.trim() : '';
	if (!REQUEST_ID.test(requestId)) {
		answer(this, 400, { error: 'not a fal webhook delivery: no request_id' });
		return { noWebhookResponse: true };
	}
	if (options.verifySignature !== false) {
		const rawBody = (this.getRequestObject() as { rawBody?: Buffer }).rawBody;
		const problem = await forgeryProblem(this, requestId, rawBody);
		if (problem) {
			this.logger.warn(`Hailuo Trigger: refused a delivery for fal job ${requestId}: ${problem}`);
			answer(this, 401, { error: 'the delivery is not signed by fal', detail: problem });
			return { noWebhookResponse: true };
		}
	}
	if (!firstDelivery(this, requestId)) {
		answer(this, 200, { received: true, repeated: true });
		return { noWebhookResponse: true };
	}
	answer(this, 200, { received: true });
	const item: INodeExecutionData = {
		json: {
			requestId,
			status: typeof body.status === 'string' ? body.status : null,
			error: typeof body.error === 'string' ? body.error : null,
			query: this.getQueryData() as IDataObject,
		},
	};
	return { noWebhookResponse: true, workflowData: [[item]] };
}
