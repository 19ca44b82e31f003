// As an AI Agent's tool the node runs where the agent asks for it. With AI Agent 2.x, LangChain invokes the tool
// through n8n-core's makeHandleToolInvocation, whose Retry On Fail gives every try a new run index: a retry must still
// find the job the failed try made, and not pay for it again. A later call (the agent asking again) makes a new video.
const { useNodeSession } = require('./node-session');
const { runWorkflow } = require('./harness');

const session = useNodeSession({ queueMs: 20, progressMs: 80 });
const emu = () => session.emu;

/** Start → Tool Caller, with the Hailuo node (Generate, fixed prompt) as its tool. */
function toolWorkflow({ calls = [{}], settings = {} } = {}) {
	return {
		name: 'Hailuo as a tool',
		nodes: [
			{ id: 't1', name: 'Start', type: 'test.start', typeVersion: 1, position: [0, 0], parameters: {} },
			{ id: 't2', name: 'Agent', type: 'test.toolCaller', typeVersion: 1, position: [200, 0], parameters: { calls: JSON.stringify(calls) } },
			{
				id: 't3',
				name: 'Hailuo Video Tool',
				type: 'n8n-nodes-hailuo.hailuoTool',
				typeVersion: 1,
				position: [200, 200],
				parameters: { operation: 'generate', ...session.urlParameters({ prompt: 'A cat walks along a wall' }) },
				credentials: { hailuoApi: { id: 'cred-1', name: 'Hailuo (emulator)' } },
				...settings,
			},
		],
		connections: {
			Start: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
			'Hailuo Video Tool': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

const run = async (spec) => await runWorkflow(toolWorkflow(spec), { credentials: session.credentials() });
const RETRY = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };

test('Retry On Fail on the tool: a try that fails after fal made the video is retried on the same job (1 job, 1 video)', async () => {
	// the first try's result read fails for good (404): the job is made and paid for, the try fails
	emu().fault({ route: 'result', status: 404 });
	const result = await run({ settings: RETRY });
	expect(result.status).toBe('success');
	const [answer] = result.output('Agent');
	expect(answer.json.error).toBeUndefined();
	expect(answer.json.answer).toContain(emu().jobs.values().next().value.requestId);
	// two tries ran (two run indexes of the tool), one job was made
	expect(result.run.data.resultData.runData['Hailuo Video Tool']).toHaveLength(2);
	expect(emu().stats()).toMatchObject({ accepted: 1, duplicates: 0 });
	expect(session.submits()).toHaveLength(1);
});

test('the agent calling the tool again with the same arguments gets a new video: a call that returned is not a retry', async () => {
	const result = await run({ calls: [{}, {}], settings: RETRY });
	expect(result.status).toBe('success');
	expect(result.output('Agent').map((item) => item.json.error)).toEqual([undefined, undefined]);
	expect(emu().stats()).toMatchObject({ accepted: 2, duplicates: 1 });
});

test('without Retry On Fail, a failed call leaves its job for the agent\'s next call of the same input, which collects it', async () => {
	emu().fault({ route: 'result', status: 404 });
	const result = await run({ calls: [{}, {}] });
	const [first, second] = result.output('Agent');
	expect(first.json.error).toMatch(/HTTP 404/);
	expect(second.json.error).toBeUndefined();
	expect(emu().stats()).toMatchObject({ accepted: 1, duplicates: 0 });
});
