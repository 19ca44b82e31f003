import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { RESULT_RETENTION_WORDS } from '../../fal/errors';

/**
 * What fal keeps of a job, for users whose work asks for less (fal's "Data Retention & Storage"): Store Request on fal
 * off sends `X-Fal-Store-IO: 0` (fal keeps the request's payloads 30 days by default; off, it keeps the result only an
 * hour after the job ends), and Delete the Video from fal After sends `X-Fal-Object-Lifecycle-Preference` (the
 * generated files; an image the node uploads from a binary field gets the same lifecycle).
 */

export interface PrivacyOptions {
	storeRequestOnFal?: boolean;
	deleteVideoAfter?: string;
}

export const storeRequestOption: INodeProperties = {
	displayName: 'Store Request on fal.ai',
	name: 'storeRequestOnFal',
	type: 'boolean',
	default: true,
	description:
		'Whether fal stores the job\'s input and result (fal\'s payload storage, 30 days). Off: fal keeps the result only 1 hour after the job ends, so collect the video with Generate, the Hailuo Trigger, or Get Result within the hour.',
};

const LIFECYCLES: Array<{ name: string; value: string }> = [
	{ name: 'Never (fal.ai\'s Default)', value: 'default' },
	{ name: '10 Minutes After the Job Ends', value: '600' },
	{ name: '1 Hour After the Job Ends', value: '3600' },
	{ name: '1 Day After the Job Ends', value: '86400' },
	{ name: '7 Days After the Job Ends', value: '604800' },
	{ name: '30 Days After the Job Ends', value: '2592000' },
];

export const deleteVideoOption: INodeProperties = {
	displayName: 'Delete the Video From fal.ai After',
	name: 'deleteVideoAfter',
	type: 'options',
	options: LIFECYCLES,
	default: 'default',
	description:
		'When fal deletes the generated video (and an image uploaded from a binary field) from its storage. The output\'s video URL stops working then: choose a time after the video is collected (Generate and the Hailuo Trigger collect it at once).',
};

/** Seconds until fal deletes the job's files, or undefined for fal's default. */
function lifecycleSeconds(options: PrivacyOptions): number | undefined {
	const seconds = Number(options.deleteVideoAfter);
	return options.deleteVideoAfter && options.deleteVideoAfter !== 'default' && Number.isFinite(seconds) ? seconds : undefined;
}

/** The submit's headers for these options (none for fal's defaults). */
export function privacyHeaders(options: PrivacyOptions): IDataObject {
	const headers: IDataObject = {};
	if (options.storeRequestOnFal === false) headers['X-Fal-Store-IO'] = '0';
	const seconds = lifecycleSeconds(options);
	if (seconds !== undefined) headers['X-Fal-Object-Lifecycle-Preference'] = JSON.stringify({ expiration_duration_seconds: seconds });
	return headers;
}

/** The storage upload's header for an image the node uploads (fal's client: `X-Fal-Object-Lifecycle`). */
export function uploadLifecycleHeaders(options: PrivacyOptions): IDataObject {
	const seconds = lifecycleSeconds(options);
	return seconds === undefined ? {} : { 'X-Fal-Object-Lifecycle': JSON.stringify({ expiration_duration_seconds: seconds }) };
}

/** What the output item says of it; for a job collected later (Submit), what that means for collecting it. */
export function privacyOutput(options: PrivacyOptions, collectedLater: boolean): IDataObject {
	const seconds = lifecycleSeconds(options);
	const output: IDataObject = { storeRequestOnFal: options.storeRequestOnFal !== false, deleteVideoAfterSeconds: seconds ?? null };
	const notices: string[] = [];
	if (collectedLater && options.storeRequestOnFal === false) {
		notices.push(`Store Request on fal.ai is off: ${RESULT_RETENTION_WORDS}. Collect this job with the Hailuo Trigger or with Get Result within the hour.`);
	}
	if (collectedLater && seconds !== undefined) {
		const when = LIFECYCLES.find((lifecycle) => lifecycle.value === String(seconds))?.name.toLowerCase() ?? `${seconds} seconds after the job ends`;
		notices.push(`fal deletes the video ${when}: collect it before then.`);
	}
	if (notices.length > 0) output.notices = notices;
	return output;
}
