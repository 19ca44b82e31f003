import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

/**
 * Which jobs this trigger has already turned into an execution, so that a repeated delivery (fal delivers at least
 * once and retries for about two hours) starts no second one.
 *
 * - The record lives in the workflow's static data (node scope), which n8n saves to its database once the webhook
 *   has answered: it holds across restarts, and in queue mode for every process that loads the workflow afterwards.
 * - n8n loads the static data anew for each request and saves it after answering, so two deliveries of one job that
 *   arrive together would both miss each other's mark. Within one n8n process a short-lived guard closes that gap:
 *   a job being delivered is held here for a few minutes, keyed by workflow, node and request id. This is the one
 *   piece of module state of the package, and it holds no execution's data. Two deliveries of one job reaching two
 *   different n8n processes (several webhook processes) at the same moment are not caught; fal's repeats come
 *   seconds to hours apart, after a delivery it thinks failed.
 */

/** How long a delivered job is remembered: fal retries a delivery for about two hours. */
const REMEMBER_MS = 3 * 60 * 60 * 1000;
const MOST_REMEMBERED = 10_000;
const GUARD_MS = 10 * 60 * 1000;

const deliveringNow = new Map<string, number>();

function guardKey(ctx: IWebhookFunctions, requestId: string): string {
	return `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().name}/${requestId}`;
}

/** Records the job as delivered; false when it had been delivered before (a repeat). */
export function firstDelivery(ctx: IWebhookFunctions, requestId: string): boolean {
	const now = Date.now();
	for (const [key, until] of deliveringNow) if (until < now) deliveringNow.delete(key);
	const key = guardKey(ctx, requestId);
	const staticData = ctx.getWorkflowStaticData('node');
	const delivered = (staticData.deliveredJobs ??= {}) as IDataObject;
	if (deliveringNow.has(key) || typeof delivered[requestId] === 'number') return false;
	deliveringNow.set(key, now + GUARD_MS);
	for (const [id, at] of Object.entries(delivered)) if (Number(at) < now - REMEMBER_MS) delete delivered[id];
	const ids = Object.keys(delivered);
	for (const id of ids.slice(0, Math.max(0, ids.length - MOST_REMEMBERED + 1))) delete delivered[id];
	delivered[requestId] = now;
	return true;
}
