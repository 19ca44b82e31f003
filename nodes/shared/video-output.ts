import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { downloadVideo } from '../../fal/download';
import type { JobContext } from '../../fal/errors';
import { UNKNOWN_FACTS } from '../../fal/mp4-info';
import type { FalFile } from '../../fal/queue';
import type { FalSession } from '../../fal/session';

/**
 * A finished video as both nodes of the package output it (the Hailuo node's Generate and Get Result, the Hailuo
 * Trigger): the options that shape it, and the output item, with the MP4 streamed into n8n's binary data.
 */

export const DEFAULT_DOWNLOAD_IDLE_SECONDS = 30;

export const videoOutputOptions: INodeProperties[] = [
	{
		displayName: 'Download Video',
		name: 'download',
		type: 'boolean',
		default: true,
		description: 'Whether to download the MP4 into binary data; off returns the video URL only',
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. product-video.mp4',
		description: 'Name of the MP4 in binary data; empty means hailuo-[request ID].mp4',
	},
	{
		displayName: 'Put Output Video in Field',
		name: 'binaryPropertyOutput',
		type: 'string',
		default: 'data',
		description: 'The binary field the MP4 is written to',
	},
	{
		displayName: 'Download Idle Limit (Seconds)',
		name: 'downloadIdleSeconds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 600 },
		default: DEFAULT_DOWNLOAD_IDLE_SECONDS,
		description:
			'When the video download receives no bytes for this long, breaks off, or takes longer than its size allows (32 KB a second plus twice this limit), it is tried again, up to three more times, before the item fails',
	},
];


/** The options of every operation that returns a video. */
export interface VideoOutputOptions {
	download?: boolean;
	fileName?: string;
	binaryPropertyOutput?: string;
	downloadIdleSeconds?: number;
}

function videoFileName(requested: string | undefined, requestId: string): string {
	const name = requested?.trim() || `hailuo-${requestId}`;
	return /\.mp4$/i.test(name) ? name : `${name}.mp4`;
}

/**
 * The output item for a finished video: the job's JSON (what is known of the file, then `details`) and, unless
 * download is off, the MP4 streamed into n8n's binary data. What the video is (`durationSeconds`, `width`,
 * `height` as shown, `hasAudio`) is read from the MP4 as it streams in; null when the file does not say it, and
 * when the video is not downloaded.
 */
export async function videoItem(
	fal: FalSession,
	job: JobContext & { requestId: string },
	video: FalFile,
	options: VideoOutputOptions,
	details: IDataObject,
): Promise<INodeExecutionData> {
	const fileName = videoFileName(options.fileName, job.requestId);
	const json: IDataObject = {
		requestId: job.requestId,
		status: 'COMPLETED',
		videoUrl: video.url,
		fileName,
		fileSize: video.file_size ?? null,
		mimeType: 'video/mp4',
		...UNKNOWN_FACTS,
		...details,
	};
	const pairedItem = { item: job.itemIndex };
	if (options.download === false) return { json, pairedItem };

	const { binary, bytes, facts } = await downloadVideo(fal, video.url, fileName, job, {
		idleMs: (options.downloadIdleSeconds ?? DEFAULT_DOWNLOAD_IDLE_SECONDS) * 1000,
		expectedBytes: video.file_size,
	});
	Object.assign(json, facts, { fileSize: bytes });
	const field = options.binaryPropertyOutput?.trim() || 'data';
	return { json, binary: { [field]: binary }, pairedItem };
}
