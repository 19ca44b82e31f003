import type { INodeProperties } from 'n8n-workflow';

import { videoOutputOptions, type VideoOutputOptions } from '../shared/video-output';

/** The trigger's parameters: where its URL goes, and the options of the video it outputs. */

export const DEFAULT_RESULT_WAIT_SECONDS = 120;

export interface TriggerOptions extends VideoOutputOptions {
	verifySignature?: boolean;
	falUserId?: string;
	resultWaitSeconds?: number;
}

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Put this trigger\'s Production URL (above) into the Hailuo node\'s Submit → Options → Webhook URL, and publish (activate) this workflow. Add query parameters to carry values with the job, e.g. <code>?row={{ $json.row }}</code>: they come out in <code>query</code>.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			...videoOutputOptions,
			{
				displayName: 'Verify Signature',
				name: 'verifySignature',
				type: 'boolean',
				default: true,
				description:
					'Whether to check each delivery against fal\'s published ED25519 keys and its timestamp before anything runs (401 otherwise). Turning it off lets anyone who learns this URL start executions (each reads the job from fal by request ID with your key, so no forged video gets in, but executions and fal calls can be triggered at will).',
			},
			{
				displayName: 'Only Deliveries for fal.ai User',
				name: 'falUserId',
				type: 'string',
				default: '',
				placeholder: 'e.g. the falUserId of an earlier execution',
				description:
					'The fal user ID whose jobs may start this workflow, compared with the user ID fal signs into each delivery. A delivery signed for another user is answered 403 and starts nothing (fal tries it again for about two hours, so a mistyped ID loses no delivery once corrected). It proves that fal signed the delivery for that fal user\'s job; it does not say who put this URL into the job. Without it any fal account\'s job signed by fal starts an execution, which then fails reading the job with your key. Each execution gives the ID as falUserId, and a refused delivery\'s line in n8n\'s log names the ID it carried. With Verify Signature off the ID is not checked to be fal\'s.',
			},
			{
				displayName: 'Result Wait (Seconds)',
				name: 'resultWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 5, maxValue: 3600 },
				default: DEFAULT_RESULT_WAIT_SECONDS,
				description: 'How long a delivery whose result fal cannot give yet is read again before the execution fails (the job is never cancelled)',
			},
		],
	},
];
