import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cancelledError } from '../../../fal/cancellation';
import { ambiguousSubmitError, jobError } from '../../../fal/errors';
import { livePrices } from '../../../fal/pricing';
import { submitJob, type QueueJob } from '../../../fal/queue';
import type { SettingValue } from '../../shared/models/inputs';
import { usd, videoPrice, type VideoSpec } from '../../shared/models/prices';
import { DEFAULT_MODEL, findModel, queueAppOf, type HailuoModel } from '../../shared/models/table';
import { readCameraMoves, withCameraMoves } from '../camera';
import { notApplied, readSettings } from '../settings';
import { checkLastFrameResolution, checkPrompt, invalid } from '../validate';
import { FIRST_FRAME, frameUrl, LAST_FRAME, prepareFrame, prepareReferences, referenceUrls, type Frame } from './frame';
import { generationDetails, modelInput, type SentImages } from './model-input';
import { privacyHeaders, privacyOutput, uploadLifecycleHeaders, type PrivacyOptions } from '../privacy';
import type { Batch } from './batch';
import type { VideoOutputOptions } from '../../shared/video-output';

/**
 * What Generate and Submit share: reading and checking an item's generation inputs for its model (no
 * spending), the spending guard over the whole run, and submitting the job with exactly the fields the
 * model takes.
 */

export interface GenerationOptions extends VideoOutputOptions, PrivacyOptions {
	timeoutMinutes?: number;
	checkImageUrl?: boolean;
	maxInFlight?: number;
	maxSpendUsd?: number;
	webhookUrl?: string;
}

export interface GenerationRequest {
	itemIndex: number;
	model: HailuoModel;
	/** The prompt as sent (with the camera command, where one was chosen). */
	prompt: string;
	cameraMoves: string[];
	/** Every setting of the model, by fal field. */
	settings: Record<string, SettingValue>;
	frame: Frame;
	lastFrame: Frame;
	references: Frame[];
	options: GenerationOptions;
	/** Parameters set on the node that this item's model does not take, in words. */
	notices: string[];
}

export async function prepareGeneration(ctx: IExecuteFunctions, itemIndex: number): Promise<GenerationRequest> {
	const node = ctx.getNode();
	const endpoint = ctx.getNodeParameter('model', itemIndex, undefined);
	const model = findModel(endpoint ?? DEFAULT_MODEL.endpoint);
	if (!model) throw invalid(node, itemIndex, 'Model', `"${String(endpoint)}" is not a Hailuo model this node knows`);
	const cameraMoves = readCameraMoves(ctx, itemIndex, model);
	const written = ctx.getNodeParameter('prompt', itemIndex);
	const prompt = checkPrompt(node, itemIndex, model, typeof written === 'string' ? withCameraMoves(written, cameraMoves) : written);
	const settings = readSettings(ctx, itemIndex, model);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as GenerationOptions;
	const probe = options.checkImageUrl !== false;
	const frame = await prepareFrame(ctx, itemIndex, model, FIRST_FRAME, probe);
	const lastFrame = await prepareFrame(ctx, itemIndex, model, LAST_FRAME, probe);
	if (lastFrame.source !== 'none') checkLastFrameResolution(node, itemIndex, model, settings.resolution as string | undefined);
	const references = await prepareReferences(ctx, itemIndex, model, probe);
	const notices = notApplied(ctx, itemIndex, model);
	return { itemIndex, model, prompt, cameraMoves, settings, frame, lastFrame, references, options, notices };
}

/**
 * The spending guard: before anything is submitted, the price of every video this run would make is
 * added up (fal's live prices where the key can read them: one free call per run); over Options → Max
 * Spend per Run, nothing is submitted. Without a limit no price is read: outputs give the list price.
 */
export async function checkSpending(ctx: IExecuteFunctions, requests: GenerationRequest[], batch: Batch): Promise<void> {
	const limit = requests.find((request) => request.options.maxSpendUsd !== undefined)?.options.maxSpendUsd;
	if (limit === undefined || requests.length === 0) return;
	const endpoints = [...new Set(requests.map((request) => request.model.endpoint))];
	batch.livePrices = await livePrices(batch.fal, endpoints);
	const total = requests.reduce((sum, request) => sum + priceOfRequest(request, batch).usd, 0);
	// exact amounts (prices have at most three decimals; the sum may carry a float's last bit): USD 0.832 is over 0.83
	if (Math.round(total * 1e6) > Math.round(limit * 1e6)) {
		const videos = `${requests.length} video${requests.length === 1 ? '' : 's'}`;
		throw new NodeOperationError(ctx.getNode(), `${videos} would cost ${usd(total)}, over the limit of ${usd(limit)}`, {
			description:
				'Nothing was submitted to fal. Raise Options → Max Spend per Run (USD), or send fewer or cheaper videos (Fast models, 6 s).',
		});
	}
}

/** What decides the price of a request's video besides its model. */
const videoSpec = (request: GenerationRequest): VideoSpec => ({ settings: request.settings, references: request.references as VideoSpec['references'] });

export function priceOfRequest(request: GenerationRequest, batch: Batch) {
	return videoPrice(request.model, videoSpec(request), batch.livePrices?.get(request.model.endpoint));
}

/** What identifies an item's job: a retry of the node reuses a job only for exactly this input. */
function inputKey(request: GenerationRequest, webhookUrl: string | undefined): string {
	const { model, prompt, settings, frame, lastFrame, references, options } = request;
	const last = lastFrame.source === 'none' ? undefined : lastFrame;
	const privacy = privacyHeaders(options);
	return JSON.stringify({ model: model.endpoint, prompt, settings, frame, lastFrame: last, references, webhookUrl, privacy });
}

/**
 * Uploads the binary frames if there are any, then submits the job — unless an earlier try of this run
 * (n8n's Retry On Fail) already submitted it, which is then followed instead of paid for again.
 */
export async function submitGeneration(
	ctx: IExecuteFunctions,
	request: GenerationRequest,
	batch: Batch,
	how: { webhookUrl?: string; collectedLater: boolean },
): Promise<{ job: QueueJob; details: IDataObject }> {
	const { itemIndex, model, options } = request;
	const { webhookUrl } = how;
	const key = inputKey(request, webhookUrl);
	const earlier = batch.earlierJob(itemIndex, key);
	let job: QueueJob;
	let sent: SentImages;
	const queueApp = queueAppOf(model.endpoint);
	if (earlier === 'unknown') {
		throw ambiguousSubmitError(ctx.getNode(), { itemIndex }, 'an earlier try of this node sent it, and fal\'s answer never came; it is not sent again');
	} else if (earlier) {
		({ job, ...sent } = earlier);
	} else {
		const uploadHeaders = uploadLifecycleHeaders(options);
		sent = {
			imageUrl: await frameUrl(ctx, batch.fal, itemIndex, model, FIRST_FRAME, request.frame, uploadHeaders),
			lastFrameUrl: await frameUrl(ctx, batch.fal, itemIndex, model, LAST_FRAME, request.lastFrame, uploadHeaders),
			referenceUrls: model.images.references ? await referenceUrls(ctx, batch.fal, itemIndex, model, request.references, uploadHeaders) : undefined,
		};
		const input = modelInput(model, request, sent);
		const submitting = { itemIndex, webhookUrl, abandon: batch.abandonSubmit, headers: privacyHeaders(options) };
		job = await submitJob(batch.fal, { endpoint: model.endpoint, queueApp }, input, submitting).catch(
			(error: unknown) => {
				if ((error as { context?: IDataObject }).context?.mayHaveBeenBilled) {
					batch.submitUnknown(itemIndex, { queueApp, input: key });
				}
				throw error;
			},
		);
		batch.submitted(itemIndex, job, { queueApp, input: key, ...sent });
	}
	// Stop pressed while the submit was on its way: the job exists on fal, and nobody will collect it.
	if (batch.fal.stopped) {
		throw cancelledError(ctx, { itemIndex, requestId: job.requestId }, await batch.cancelOnce(itemIndex));
	}
	// another item failed meanwhile: the failing run settles this job with the others (batch.ts)
	if (batch.failing) throw jobError(ctx.getNode(), 'Not collected: an earlier item failed', { itemIndex, requestId: job.requestId });
	const price = priceOfRequest(request, batch);
	const { notices: privacyNotices, ...privacy } = privacyOutput(options, how.collectedLater);
	const notices = [...request.notices, ...((privacyNotices as string[] | undefined) ?? [])];
	const details: IDataObject = {
		...generationDetails(request, videoSpec(request), sent),
		costUsd: price.usd,
		priceSource: price.source,
		...privacy,
		...(notices.length > 0 ? { notices } : {}),
	};
	return { job, details };
}
