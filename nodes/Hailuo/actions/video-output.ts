import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_DOWNLOAD_IDLE_SECONDS } from '../description/fields';
import { downloadVideo } from '../../../fal/download';
import type { JobContext } from '../../../fal/errors';
import type { FalFile } from '../../../fal/queue';
import type { FalSession } from '../../../fal/session';

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
 * The output item for a finished video: the job's JSON (`details` first, then what is known of the
 * file) and, unless download is off, the MP4 streamed into n8n's binary data.
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
		...details,
	};
	const pairedItem = { item: job.itemIndex };
	if (options.download === false) return { json, pairedItem };

	const binary = await downloadVideo(fal, video.url, fileName, job, {
		idleMs: (options.downloadIdleSeconds ?? DEFAULT_DOWNLOAD_IDLE_SECONDS) * 1000,
		expectedBytes: video.file_size,
	});
	if (binary.bytes !== undefined) json.fileSize = binary.bytes;
	const field = options.binaryPropertyOutput?.trim() || 'data';
	return { json, binary: { [field]: binary }, pairedItem };
}
