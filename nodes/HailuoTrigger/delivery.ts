import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { CREDENTIAL_TYPE, falOrigins } from '../../fal/account';
import { signedParts, timestampProblem, type SignedDelivery } from '../../fal/webhook-signature';
import { firstDelivery } from './delivered-jobs';
import type { TriggerOptions } from './description';
import { keyProblem } from './webhook-keys';

/**
 * A delivery from fal, as the trigger's webhook receives it: checked against fal's signature before anything runs
 * (401 and no execution otherwise), checked against the fal user the trigger is pinned to, if any (403), a repeat of
 * a job already delivered answered and dropped, and fal answered at once. What the execution gets is the job's
 * request id, fal's status and error words (and the payload error, when fal could not put the result in the
 * delivery), the fal user id fal signed, and the query parameters of the URL fal called (those of Submit's Webhook
 * URL); the video is read from fal by request id in the execution (collect.ts), never taken from the delivery's body.
 */

const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ids of the body: the queue's request id (the job), and the gateway's (differs after fal retried internally). */
interface BodyIds {
	requestId: string;
	gatewayRequestId: string | undefined;
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Why the delivery is not fal's, or undefined when its signature checks out. fal's docs do not say which of the
 * body's two ids the signed request-id header carries: either is accepted, since the signature's digest covers the
 * whole body, which is therefore authentic once the signature verifies; the job is always read by request_id.
 */
async function forgeryProblem(ctx: IWebhookFunctions, ids: BodyIds, parts: SignedDelivery | { missing: string }, rawBody: Buffer | undefined): Promise<string | undefined> {
	if ('missing' in parts) return `no ${parts.missing} header`;
	if (!rawBody) return 'the raw body is not available to check the signature';
	if (parts.requestId !== ids.requestId && parts.requestId !== ids.gatewayRequestId) {
		return 'the signed request id is neither the body\'s request_id nor its gateway_request_id';
	}
	const late = timestampProblem(parts.timestamp, Date.now() / 1000);
	if (late) return late;
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const { jwks } = falOrigins(credentials.baseUrl);
	return await keyProblem(ctx, jwks, parts, rawBody);
}

function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const options = this.getNodeParameter('options', {}) as TriggerOptions;
	const body = this.getBodyData();
	const ids: BodyIds = { requestId: text(body.request_id) ?? '', gatewayRequestId: text(body.gateway_request_id) };
	const { requestId } = ids;
	if (!REQUEST_ID.test(requestId)) return answer(this, 400, { error: 'not a fal webhook delivery: no request_id' });
	const parts = signedParts(this.getHeaderData() as Record<string, string | string[] | undefined>);
	if (options.verifySignature !== false) {
		const rawBody = (this.getRequestObject() as { rawBody?: Buffer }).rawBody;
		const problem = await forgeryProblem(this, ids, parts, rawBody);
		if (problem) {
			this.logger.warn(`Hailuo Trigger: refused a delivery for fal job ${requestId}: ${problem}`);
			return answer(this, 401, { error: 'the delivery is not signed by fal', detail: problem });
		}
	}
	const falUserId = 'missing' in parts ? null : parts.userId;
	const pinned = options.falUserId?.trim();
	if (pinned && falUserId !== pinned) {
		// 403, not 200: fal tries the delivery again (10 times over about two hours), so a mistyped pin loses no
		// delivery of the right account once corrected; another account's job is refused each time and never runs.
		this.logger.warn(
			`Hailuo Trigger: refused a delivery for fal job ${requestId}: signed for fal user "${falUserId ?? '(none)'}", and this trigger takes only fal user "${pinned}" (Only Deliveries for fal.ai User)`,
		);
		return answer(this, 403, { error: 'the delivery is for another fal user' });
	}
	if (!firstDelivery(this, requestId)) return answer(this, 200, { received: true, repeated: true });
	answer(this, 200, { received: true });
	const item: INodeExecutionData = {
		json: {
			requestId,
			status: typeof body.status === 'string' ? body.status : null,
			error: typeof body.error === 'string' ? body.error : null,
			// fal sends payload null with payload_error when the result could not be put into the delivery; the video
			// is read from fal by request id all the same
			payloadError: text(body.payload_error) ?? (body.payload === null ? 'fal sent the delivery without its payload' : null),
			falUserId,
			query: this.getQueryData() as IDataObject,
		},
	};
	return { noWebhookResponse: true, workflowData: [[item]] };
}
