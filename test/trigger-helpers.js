// @ts-check
// What the Hailuo Trigger's engine tests share: the trigger's workflow, a job submitted to fal with a webhook URL,
// and waiting for fal's deliveries to be answered (events, not time).

/**
 * A workflow of the Hailuo Trigger alone, with these options.
 * @param {Record<string, unknown>} [options]
 */
function hookWorkflow(options = {}) {
	return {
		name: 'trigger',
		nodes: [
			{
				id: 't1',
				name: 'Hailuo Trigger',
				type: 'n8n-nodes-hailuo.hailuoTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'w1',
				parameters: { options },
				credentials: { hailuoApi: { id: 'c', name: 'Hailuo' } },
			},
		],
		connections: {},
	};
}

/**
 * Submits a Hailuo job to the session's emulator, as Submit with a Webhook URL does; its request id.
 * @param {any} session @param {string | undefined} webhookUrl
 */
async function submitWithWebhook(session, webhookUrl, emuUrl = session.emu.url) {
	const query = webhookUrl ? `?fal_webhook=${encodeURIComponent(webhookUrl)}` : '';
	const res = await fetch(`${emuUrl}/fal-ai/minimax/hailuo-2.3/standard/image-to-video${query}`, {
		method: 'POST',
		headers: { authorization: `Key ${session.API_KEY}`, 'content-type': 'application/json', 'x-test-check': '1' },
		body: JSON.stringify({ prompt: `A boat at dawn ${Math.random()}`, image_url: `${emuUrl}/_samples/frame.jpg` }),
	});
	const body = await res.json();
	if (typeof body.request_id !== 'string') throw new Error(`submit: ${res.status} ${JSON.stringify(body)}`);
	return body.request_id;
}

/**
 * Waits until `count` deliveries of the job have been answered by the receiver; the emulator's records of them.
 * @param {any} session @param {string} requestId @param {number} count
 */
async function answeredDeliveries(session, requestId, count, emu = session.emu) {
	const answered = () => emu.webhooks.filter((/** @type {any} */ w) => w.requestId === requestId && (w.status !== undefined || w.error !== undefined));
	await session.eventually(() => answered().length >= count, 20_000);
	return answered();
}

module.exports = { hookWorkflow, submitWithWebhook, answeredDeliveries };
