import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { OPERATIONS, route } from './actions/router';
import { CREDENTIAL_TYPE } from '../../fal/account';

const operations = Object.values(OPERATIONS);

export class Hailuo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hailuo Video (fal.ai)',
		name: 'hailuo',
		icon: { light: 'file:../../icons/hailuo.svg', dark: 'file:../../icons/hailuo.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ { generate: "Generate", submit: "Submit", getStatus: "Get Status", getResult: "Get Result", cancel: "Cancel" }[$parameter["operation"]] }}',
		description:
			'Make videos with MiniMax H3 (with sound) and Hailuo on fal.ai, from a prompt and a first-frame image, reference images or text alone; the MP4 comes out as binary data',
		defaults: { name: 'Hailuo Video' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: operations.map(({ name, value, description, action }) => ({ name, value, description, action })),
				default: 'generate',
			},
			...operations.flatMap((operation) => operation.properties),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
