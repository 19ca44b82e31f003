import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../fal/account';
import { collectVideos } from './collect';
import { receiveDelivery } from './delivery';
import { triggerProperties } from './description';

export class HailuoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hailuo (fal.ai) Trigger',
		name: 'hailuoTrigger',
		icon: { light: 'file:../../icons/hailuo.svg', dark: 'file:../../icons/hailuo.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'when fal finishes a video',
		// n8n's nodes panel lists this trigger and the Hailuo node as one entry (a trigger named like a node with actions,
		// plus "Trigger"): the node's name and icon with this description (n8n 1.123 and 2.41). So it says what the pair does.
		description:
			'Make videos with MiniMax H3 and Hailuo on fal.ai, and start workflows when fal finishes them; the MP4 comes out as binary data',
		defaults: { name: 'Hailuo Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'fal' }],
		properties: triggerProperties,
	};

	// fal takes the webhook URL with each submit (Submit's Webhook URL), so there is nothing to register with fal:
	// the URL exists as long as n8n serves this workflow, and fal stops calling it once the jobs sent to it have ended.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				// nothing is registered at fal, so nothing can be missing there
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				// nothing to create at fal: each submit names this URL itself
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// nothing to remove at fal; deliveries for jobs still running will find no workflow (404) and fal gives up
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await collectVideos.call(this);
	}
}
