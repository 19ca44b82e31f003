import type { IDataObject } from 'n8n-workflow';

import { resolutionOf, secondsOf, type VideoSpec } from '../../shared/models/prices';
import { takesLastFrame, type HailuoModel } from '../../shared/models/table';
import { settingsOutput } from '../settings';
import type { GenerationRequest } from './generation';

/** The URLs a job's images were sent as (a binary image: where fal storage put it). */
export interface SentImages {
	imageUrl?: string;
	lastFrameUrl?: string;
	referenceUrls?: string[];
}

/** Exactly the fields this model takes, in fal's names: the prompt, its images, every setting of its row. */
export function modelInput(model: HailuoModel, request: Pick<GenerationRequest, 'prompt' | 'settings'>, sent: SentImages): IDataObject {
	const input: IDataObject = { prompt: request.prompt };
	if (model.images.first) input.image_url = sent.imageUrl;
	if (takesLastFrame(model) && sent.lastFrameUrl) input.end_image_url = sent.lastFrameUrl;
	if (model.images.references) input.reference_image_urls = sent.referenceUrls ?? [];
	for (const setting of model.settings) input[setting.field] = request.settings[setting.field];
	return input;
}

const sourceOf = (frame: { source: string }) => (frame.source === 'none' ? null : frame.source);

/** What a job was asked for, as its output item says it (Generate's and Submit's). */
export function generationDetails(request: GenerationRequest, spec: VideoSpec, sent: SentImages): IDataObject {
	const { model } = request;
	return {
		model: model.endpoint,
		duration: secondsOf(model, spec) ?? null,
		resolution: resolutionOf(model, spec) ?? null,
		...settingsOutput(model, request.settings),
		prompt: request.prompt,
		...(request.cameraMoves.length > 0 ? { cameraMovement: request.cameraMoves } : {}),
		imageSource: sourceOf(request.frame),
		imageUrl: sent.imageUrl ?? null,
		...(takesLastFrame(model) ? { lastFrameSource: sourceOf(request.lastFrame), lastFrameUrl: sent.lastFrameUrl ?? null } : {}),
		...(model.images.references
			? { referenceImageSources: request.references.map(sourceOf), referenceImageUrls: sent.referenceUrls ?? [] }
			: {}),
	};
}
