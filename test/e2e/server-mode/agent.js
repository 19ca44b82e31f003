// @ts-check
'use strict';

/**
 * agent (issue 31, item 1): the node as an AI Agent's tool, Retry On Fail on the tool, pays once for one video.
 *
 * The agent's chat model is n8n's OpenAI Chat Model with a credential whose Base URL is a local OpenAI-compatible stub
 * (test/e2e/openai-stub.js): it asks for the Hailuo tool with fixed arguments, then answers with the tool's result.
 * The emulator answers the job's first result read 404 (after fal made the video): the node does not read a 404 again,
 * so the tool's first try fails at once and n8n tries the tool again (a fault the node retried, a 500 on every read
 * of the policy, would test the same and cost ~13 s of backoff per case):
 * - AI Agent 2.x (2.2 on both lines): LangChain runs the tool through n8n-core's makeHandleToolInvocation, which
 *   gives each try a new run index;
 * - AI Agent 3.x (3.1 on 2.41, 3 on 1.123): the engine runs the tool as a node.
 * Each: 1 accepted job, 0 duplicates, the agent's run succeeds and its answer carries the video the tool output.
 * Loops whose rounds repeat one input still make one video per round, with the first round's read failing as above:
 * the agent run by two items of one prompt (2.x and 3.x), and a Loop Over Items of two identical items into the
 * node as a plain node.
 */

const n8n = require('../../../scripts/lib/n8n');
const { assert, check } = require('../../../scripts/lib/checks');
const { startOpenAiStub } = require('../openai-stub');
const { workflow, manualTrigger, codeNode, hailuoNode, generate, frame } = require('./workflows');
const { nodeItems, execError } = require('./helpers');

const IDS = {
  agent2: 'hailuoSrvAgent01',
  agent3: 'hailuoSrvAgent02',
  loop2: 'hailuoSrvAgent03',
  loop3: 'hailuoSrvAgent04',
  plainLoop: 'hailuoSrvAgent05',
};
const OPENAI_CREDENTIAL = { id: 'hailuoAgentOpenAi', name: 'OpenAI (local stub)' };
const PROMPT = 'A paper lantern drifts over a night harbour';
const TOOL = 'Hailuo Video';
const AGENT = 'AI Agent';
/** Retry On Fail as the tool has it: n8n waits this long between tries (ms). */
const WAIT_BETWEEN_TRIES = 100;

/** The newest AI Agent 2.x and 3.x the n8n line ships (@n8n/n8n-nodes-langchain 2.41.1: 2.2, 3.1; 1.122.57: 2.2, 3). */
const agentVersions = (/** @type {number} */ major) => ({ v2: 2.2, v3: major >= 2 ? 3.1 : 3 });

/** @param {string} id @param {string} name @param {number} agentVersion @param {number} items @param {any} ctx */
function agentWorkflow(id, name, agentVersion, items, ctx) {
  const prompts = `return Array.from({ length: ${items} }, () => ({ json: { prompt: ${JSON.stringify(`Make a short video: ${PROMPT}`)} } }));`;
  const wf = workflow(id, name, [
    manualTrigger(),
    codeNode(prompts),
    {
      id: 'node-agent',
      name: AGENT,
      type: '@n8n/n8n-nodes-langchain.agent',
      typeVersion: agentVersion,
      position: [440, 0],
      parameters: { promptType: 'define', text: '={{ $json.prompt }}', options: {} },
    },
  ]);
  wf.nodes.push(
    {
      id: 'node-chat-model',
      name: 'OpenAI Chat Model',
      type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
      typeVersion: 1.2,
      position: [380, 220],
      parameters: { model: { __rl: true, mode: 'id', value: 'stub-chat-model' }, options: {} },
      credentials: { openAiApi: OPENAI_CREDENTIAL },
    },
    {
      ...hailuoNode(
        TOOL,
        ctx.credential.agent,
        generate({
          prompt: "={{ $fromAI('prompt', 'What the video shows', 'string') }}",
          imageUrl: frame(ctx.origin.agent),
          options: { maxInFlight: 1 },
        }),
        [560, 220],
      ),
      type: `${n8n.NODE_TYPE}Tool`,
      retryOnFail: true,
      maxTries: 2,
      waitBetweenTries: WAIT_BETWEEN_TRIES,
    },
  );
  Object.assign(wf.connections, {
    'OpenAI Chat Model': { ai_languageModel: [[{ node: AGENT, type: 'ai_languageModel', index: 0 }]] },
    [TOOL]: { ai_tool: [[{ node: AGENT, type: 'ai_tool', index: 0 }]] },
  });
  return wf;
}

/** Manual → two identical items → Loop Over Items (one a round) → Hailuo (plain node, Retry On Fail) → back. */
function plainLoopWorkflow(/** @type {any} */ ctx) {
  const wf = workflow(IDS.plainLoop, 'server-mode: a loop repeating one input (plain node)', [
    manualTrigger(),
    codeNode(`return [1, 2].map(() => ({ json: { prompt: ${JSON.stringify(PROMPT)}, imageUrl: ${JSON.stringify(frame(ctx.origin.agent))} } }));`),
  ]);
  wf.nodes.push(
    { id: 'node-loop', name: 'Loop Over Items', type: 'n8n-nodes-base.splitInBatches', typeVersion: 3, position: [440, 0], parameters: { batchSize: 1, options: {} } },
    {
      ...hailuoNode(TOOL, ctx.credential.agent, generate({ options: { maxInFlight: 1 } }), [660, 100]),
      retryOnFail: true,
      maxTries: 2,
      waitBetweenTries: WAIT_BETWEEN_TRIES,
    },
  );
  Object.assign(wf.connections, {
    Prompts: { main: [[{ node: 'Loop Over Items', type: 'main', index: 0 }]] },
    'Loop Over Items': { main: [[], [{ node: TOOL, type: 'main', index: 0 }]] },
    [TOOL]: { main: [[{ node: 'Loop Over Items', type: 'main', index: 0 }]] },
  });
  return wf;
}

/** Every run of the tool node: its run index, whether it failed, the videos it output. @param {any} exec */
function toolRuns(exec) {
  const runs = exec?.data?.resultData?.runData?.[TOOL] || [];
  return runs.map((/** @type {any} */ r, /** @type {number} */ i) => {
    const data = r.data || {};
    const items = [...(data.ai_tool?.[0] || []), ...(data.main?.[0] || [])];
    // 2.x: one item { response: [the node's json items] }; 3.x and a plain node: the node's items
    const jsons = items.flatMap((/** @type {any} */ it) => (Array.isArray(it.json?.response) ? it.json.response : [it.json]));
    return { run: i, error: r.error?.message, videos: jsons.filter((/** @type {any} */ j) => j && j.videoUrl && j.requestId) };
  });
}

/** @param {any[]} runs */
const describeRuns = (runs) =>
  runs.map((r) => `run ${r.run}: ${r.error ? `error "${String(r.error).split('\n')[0].slice(0, 120)}"` : `${r.videos.length} video(s) ${r.videos.map((v) => v.requestId).join(',')}`}`).join('; ');

/**
 * Runs a workflow with the first result read answered 404; returns what n8n, fal and the model saw.
 * @param {any} ctx @param {string} workflowId
 */
async function runWithFailedFirstRead(ctx, workflowId) {
  const emu = ctx.emu.agent;
  await emu.reset();
  ctx.openai.reset();
  await emu.fault({ route: 'result', status: 404 });
  const started = Date.now();
  const exec = await ctx.rest.waitFor(await ctx.rest.run(workflowId), ['success', 'error', 'crashed', 'canceled'], 180_000);
  const stats = await emu.stats();
  const jobs = await emu.jobs();
  const calls = await emu.calls();
  const faultedCalls = calls.filter((c) => c.route === 'result' && c.fault);
  const faulted = faultedCalls.length;
  // the faulted read came after fal had made (and billed) the video: the first try failed after paying
  const madeFirst = faultedCalls.every((c) => jobs.some((j) => j.requestId === c.requestId && j.billed && j.completedAt <= c.at));
  const runs = toolRuns(exec);
  const summary =
    `${stats.accepted} job(s) accepted, ${stats.duplicates} duplicate(s); ${faulted} result read(s) failed; tool runs: ${describeRuns(runs)}; ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s`;
  process.stdout.write(`      ${summary}\n`);
  return { exec, stats, jobs, runs, faulted, madeFirst, summary };
}

/** The agent's output items (its answers). @param {any} exec */
const agentAnswers = (exec) => nodeItems(exec, AGENT).map((/** @type {any} */ it) => String(it.json.output ?? ''));

/** @param {any} ctx @param {string} id @param {string} label */
async function oneCallCase(ctx, id, label) {
  await check(`${label}: the tool's first try fails after fal made the video, n8n tries it again: 1 job, 0 paid twice, the video in the answer`, async () => {
    const r = await runWithFailedFirstRead(ctx, id);
    // The first try's read failed after fal made the video, and yet the video came: n8n tried the tool again (2.x keeps
    // the failed try as a run of its own; the engine's retry of a node in 3.x keeps only the last).
    assert(r.faulted === 1 && r.madeFirst, `${r.faulted} result reads failed (1 expected, after fal made the video: ${r.madeFirst})`);
    assert(r.exec.status === 'success', `the agent's execution: ${r.exec.status} ${execError(r.exec)}`);
    assert(r.stats.accepted === 1 && r.stats.duplicates === 0, `paid twice: ${r.summary}`);
    const [job] = r.jobs;
    const delivered = r.runs.flatMap((x) => x.videos);
    assert(delivered.length === 1 && delivered[0].requestId === job.requestId, `the tool's output: ${describeRuns(r.runs)}`);
    const answers = agentAnswers(r.exec);
    assert(answers.length === 1 && answers[0].includes(job.requestId), `the agent's answer does not carry job ${job.requestId}: ${answers[0]?.slice(0, 300)}`);
    const asked = ctx.openai.completions().map((/** @type {any} */ q) => q.answer);
    assert(asked.join() === 'tool-call,final', `the model was asked ${asked.join(', ')}`);
  });
}

/** @param {any} ctx @param {string} id @param {string} label @param {'agent' | 'plain'} kind */
async function loopCase(ctx, id, label, kind) {
  await check(`${label}: two rounds of one input, the first round's read failing as above: one video per round (2 jobs)`, async () => {
    const r = await runWithFailedFirstRead(ctx, id);
    assert(r.exec.status === 'success', `execution ${r.exec.status}: ${execError(r.exec)}`);
    assert(r.faulted === 1 && r.madeFirst, `${r.faulted} result reads failed (1 expected, after fal made the video: ${r.madeFirst})`);
    const ids = r.jobs.map((j) => j.requestId);
    assert(r.stats.accepted === 2, `${r.stats.accepted} jobs for 2 rounds: ${r.summary}`);
    const delivered = r.runs.flatMap((x) => x.videos.map((/** @type {any} */ v) => v.requestId));
    assert(delivered.length === 2 && new Set(delivered).size === 2 && delivered.every((d) => ids.includes(d)), `the videos output: ${describeRuns(r.runs)}`);
    if (kind === 'agent') {
      const answers = agentAnswers(r.exec);
      assert(answers.length === 2 && answers.every((a, i) => a.includes(delivered[i])), `the agent's answers: ${JSON.stringify(answers).slice(0, 400)}`);
    }
  });
}

/** @param {any} ctx */
async function run(ctx) {
  const { v2, v3 } = agentVersions(ctx.major);
  process.stdout.write(`      n8n ${ctx.version}: AI Agent ${v2} and ${v3}; the model: ${ctx.openai.baseUrl}\n`);
  await oneCallCase(ctx, IDS.agent2, `AI Agent ${v2}, Retry On Fail on the tool`);
  await oneCallCase(ctx, IDS.agent3, `AI Agent ${v3}, Retry On Fail on the tool`);
  await loopCase(ctx, IDS.loop2, `AI Agent ${v2} run by two items of one prompt`, 'agent');
  await loopCase(ctx, IDS.loop3, `AI Agent ${v3} run by two items of one prompt`, 'agent');
  await loopCase(ctx, IDS.plainLoop, 'Loop Over Items into the node (plain, Retry On Fail)', 'plain');
  return async () => {
    await ctx.openai.stop();
  };
}

module.exports = {
  name: 'agent',
  about: 'the node as an AI Agent 2.x and 3.x tool, Retry On Fail, the first result read failing: 1 job; loops of one input: a job per round',
  emulators: {
    agent: {
      args: ['--queue-ms', '50', '--progress-ms', '300'],
      credential: { id: 'hailuoAgentEmu01', name: 'Hailuo (agent fal emulator)' },
    },
  },
  /** @param {any} ctx */
  workflows: (ctx) => {
    const { v2, v3 } = agentVersions(ctx.major);
    return [
      agentWorkflow(IDS.agent2, `server-mode: AI Agent ${v2} with the Hailuo tool`, v2, 1, ctx),
      agentWorkflow(IDS.agent3, `server-mode: AI Agent ${v3} with the Hailuo tool`, v3, 1, ctx),
      agentWorkflow(IDS.loop2, `server-mode: AI Agent ${v2}, two items of one prompt`, v2, 2, ctx),
      agentWorkflow(IDS.loop3, `server-mode: AI Agent ${v3}, two items of one prompt`, v3, 2, ctx),
      plainLoopWorkflow(ctx),
    ];
  },
  /** The model stub, and the OpenAI credential pointing at it. @param {any} ctx */
  beforeStart: async (ctx) => {
    ctx.openai = await startOpenAiStub({ tool: /hailuo/i, args: { prompt: PROMPT } });
    await n8n.importCredentials([{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-stub-not-a-key', url: ctx.openai.baseUrl } }], ctx.env, ctx.work);
  },
  run,
};
