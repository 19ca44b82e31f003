import type { INodeProperties } from 'n8n-workflow';

/**
 * Field builders shared by the operations: the generation inputs (Generate, Submit; built in
 * generation-fields.ts from the model table), the request id, and the options.
 */

export { generationInputFields } from './generation-fields';

export const requestIdField: INodeProperties = {
	displayName: 'Request ID',
	name: 'requestId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. {{ $json.requestId }}',
	description:
		'The fal request ID of the job, as Submit (or Generate) returned it in its requestId field, or a fal URL of the job (its status or response URL). Works for every model the node offers: the node finds which model\'s queue holds the job.',
};

export const maxSpendOption: INodeProperties = {
	displayName: 'Max Spend per Run (USD)',
	name: 'maxSpendUsd',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: 5,
	description:
		'Caps one run of this node (all its input items at once): before the first submit, the price of every video it would make is added up (fal\'s live price where the key can read it, else the list price); over this limit, nothing is submitted',
	hint: 'Inside Loop Over Items or an AI Agent the node runs once per round, and each round has its own cap: to cap the whole loop, see Costs in docs/reliability.md of n8n-nodes-hailuo',
};

export const DEFAULT_TIMEOUT_MINUTES = 20;

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Minutes)',
	name: 'timeoutMinutes',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 180 },
	default: DEFAULT_TIMEOUT_MINUTES,
	description:
		'How long a job may go without moving before it counts as stalled: in progress that long without finishing, or queued that long while nothing moves (neither its place in fal\'s queue nor this run\'s other jobs). Time spent in fal\'s queue behind this run\'s own jobs does not count. A stalled job is cancelled on fal and the item fails with the request ID.',
};

export const checkImageUrlOption: INodeProperties = {
	displayName: 'Check Image URL',
	name: 'checkImageUrl',
	type: 'boolean',
	default: true,
	description:
		'Whether to read the first bytes of the image URL before submitting, to refuse an unreachable, too small or wrongly shaped image before it is paid for. Turn off only for hosts that refuse this check but that fal can read.',
};

export const DEFAULT_MAX_IN_FLIGHT = 10;

export const maxInFlightOption: INodeProperties = {
	displayName: 'Max Videos in Flight',
	name: 'maxInFlight',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 100 },
	default: DEFAULT_MAX_IN_FLIGHT,
	description: 'How many items of this run are worked on at once (uploaded, submitted, followed, downloaded)',
	hint: 'fal queues the jobs beyond your account\'s concurrency limit, so a higher number is safe: waiting in that queue does not count against the timeout'
};

/** The Options collection of an operation. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options };
}
