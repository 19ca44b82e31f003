#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The live contract test (`FAL_KEY=… npm run test:live -- --max-usd 0.55`): a fixed list of observations, each made
 * once against the target (fal at its real hosts, or `--base-url`) and once against a fal emulator started here for
 * the run, compared by shape (status codes, JSON keys and types, headers present, event kinds), never by value.
 * It prints a table, row by row, and ends with
 *   live: N observations, M differ, USD X spent
 * X counts the list price of every paid job submitted to a target that bills (a job cancelled while queued too);
 * against an emulator it is 0. Exit 0 when nothing differs, 1 when something does, 2 when it refuses to run.
 *
 * Observations: observations.js (free), jobs.js (the Hailuo jobs), h3.js (H3 Max Turbo: its price, one job); compare.js
 * (shapes and the table); side.js (HTTP for one side); spending.js (the cap and the job limit); webhook.js (receiver
 * and signature); args.js.
 *
 * The paid jobs, in this order: the Hailuo job (USD 0.19), the H3 Max Turbo job (USD 0.125), the Hailuo job cancelled
 * while queued (USD 0.19, counted though fal does not bill it): USD 0.505 in all. The cap stops at the first paid
 * call it would pass, and every later one: --max-usd 0.50 makes the first two, 0.20 the first only.
 */

const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { falOrigins } = require('../../dist/fal/account');
const { jobRef } = require('../../dist/fal/queue');
const { MODELS, queueAppOf, settingFor } = require('../../dist/nodes/shared/models/table');
const { priceOf, secondsOf, videoPrice } = require('../../dist/nodes/shared/models/prices');
const { startEmulator } = require('../emulator');
const { parseArgs, UsageError, USAGE, isLoopback } = require('./args');
const { Side } = require('./side');
const { Budget, JobLimit, amount } = require('./spending');
const { diffShapes, tableHead, tableRow } = require('./compare');
const { FREE } = require('./observations');
const { PAID } = require('./jobs');
const { H3_FREE, H3_PAID, cheapestH3 } = require('./h3');
const { startReceiver } = require('./webhook');

/** The emulator's settings for the run: its defaults (the behaviours under test), but jobs that stay queued long
 * enough for a cancel to find them queued and for each status change to be its own event. */
const REFERENCE_OPTIONS = Object.freeze({ queueMs: 1500, progressMs: 2000 });
const SAMPLE_IMAGE = path.join(__dirname, '..', 'emulator', 'fixtures', 'frame.jpg');

class Refused extends Error {}

/** Writes lines with the key (and each long part of it) masked, whatever printed them. @param {string} key */
function printer(key) {
  const secrets = [key, ...key.split(':')].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length);
  return (/** @type {string[]} */ ...lines) => {
    for (let l of lines) {
      for (const s of secrets) l = l.split(s).join('***');
      process.stdout.write(`${l}\n`);
    }
  };
}

/**
 * The cheapest Hailuo 2.3 model with a first frame, and its cheapest duration, from the node's own table (Hailuo 2.3
 * Fast, 6 s): the family whose answers the emulator's assumptions are about; Hailuo 02 takes a resolution besides.
 */
function cheapestModel() {
  const options = MODELS.filter((m) => m.family === 'Hailuo 2.3' && m.images.first).flatMap((m) => {
    const duration = settingFor(m, 'duration');
    return (duration?.kind === 'choice' ? duration.values : [undefined]).map((d) => ({ m, d, usd: priceOf(m, { settings: d ? { duration: d } : {} }) }));
  });
  const { m, d, usd } = options.sort((a, b) => a.usd - b.usd)[0];
  const settings = d ? { duration: d } : {};
  return { spec: m, endpoint: m.endpoint, queueApp: queueAppOf(m.endpoint), displayName: m.displayName, duration: d, seconds: secondsOf(m, { settings }), listUsd: usd };
}

/** What the target is: fal, or a Base URL (an emulator when it is on this machine and answers as one). @param {string | undefined} baseUrl */
async function resolveTarget(baseUrl) {
  if (!baseUrl) {
    return { name: 'fal', label: 'fal (queue.fal.run, rest.fal.ai, api.fal.ai)', origins: falOrigins(''), emulator: false };
  }
  let emulator = false;
  if (isLoopback(baseUrl)) {
    try {
      const r = await fetch(`${baseUrl}/_emulator/stats`, { signal: AbortSignal.timeout(5000) });
      emulator = r.ok && typeof (await r.json()).submits === 'number';
    } catch {
      emulator = false;
    }
  }
  const label = `${baseUrl}${emulator ? ' (a fal emulator: nothing is billed)' : ''}`;
  return { name: 'target', label, origins: falOrigins(baseUrl), emulator };
}

/** Whether a request failed before any byte could reach the host (no address, connection refused). @param {unknown} e */
function neverSent(e) {
  const cause = /** @type {{ cause?: { code?: string } }} */ (e).cause;
  return ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED'].includes(String(cause && cause.code));
}

/** @param {unknown} e */
function message(e) {
  if (!(e instanceof Error)) return String(e);
  const cause = /** @type {{ cause?: unknown }} */ (e).cause;
  return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
}

/**
 * One observation on both sides, as a table row.
 * @param {import('./observations').Observation} obs @param {import('./observations').Ctx} ctx
 * @param {Side[]} sides  [target, emulator] @param {{ budget: Budget, jobs: JobLimit, targetName: string }} run
 * @returns {Promise<import('./compare').Row>}
 */
async function observe(obs, ctx, sides, run) {
  const row = { name: obs.name, title: obs.title, target: '', emulator: '', diffs: [], notes: [] };
  const skip = (/** @type {string} */ why) => ({ ...row, verdict: /** @type {const} */ ('skipped'), target: 'skipped', emulator: 'skipped', notes: [why] });
  const unmet = obs.needs && sides.map((s) => obs.needs?.(s)).find(Boolean);
  if (unmet) return skip(unmet);
  ctx.reserved = 0;
  if (obs.paid) {
    const p = obs.paid(ctx);
    const why = run.jobs.refusal() || run.budget.reserve(p.usd, p.what);
    if (why) return skip(`not submitted: ${why}`);
    ctx.reserved = p.usd; // taken back by ctx.submit if the submit provably creates no job
  }
  const results = await Promise.all(sides.map((s) => obs.run(s, ctx).catch((e) =>
    (e instanceof Refused ? { skipped: e.message } : { shape: { error: message(e) }, summary: `error: ${message(e)}` }))));
  const skipped = results.map((r, i) => ('skipped' in r ? `${i ? 'emulator' : run.targetName}: ${r.skipped}` : '')).filter(Boolean);
  if (skipped.length) return skip(skipped.join('; '));
  const [t, e] = /** @type {{ shape: import('./compare').Shape, summary: string, notes?: string[] }[]} */ (results);
  // a side that failed differs by its error alone (not by every key the other side answered)
  const errors = [t.shape.error, e.shape.error];
  const diffs = errors.some((x) => x !== undefined) && errors[0] !== errors[1]
    ? [{ key: 'error', target: String(errors[0] ?? '(none: it answered)'), emulator: String(errors[1] ?? '(none: it answered)') }]
    : diffShapes(t.shape, e.shape);
  return {
    ...row,
    verdict: diffs.length ? 'differs' : 'match',
    target: t.summary,
    emulator: e.summary,
    diffs,
    notes: [[run.targetName, t.notes], ['emulator', e.notes]].filter(([, n]) => n && n.length).map(([who, n]) => `${who}: ${/** @type {string[]} */ (n).join('; ')}`),
  };
}

/** @param {string[]} argv @param {NodeJS.ProcessEnv} env @returns {Promise<number>} the exit status */
async function main(argv, env) {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const target = await resolveTarget(args.baseUrl);
  if (!target.emulator && args.maxUsd === undefined) {
    throw new UsageError(`refusing to run against ${target.label} without --max-usd: it submits paid jobs (e.g. --max-usd 0.55)`);
  }
  const key = (env.FAL_KEY || '').trim() || (target.emulator ? 'test-key' : '');
  if (!key) throw new UsageError('FAL_KEY is not set: the key is read from the environment only');
  if (args.webhookUrl && !target.emulator && (new URL(args.webhookUrl).protocol !== 'https:' || isLoopback(args.webhookUrl))) {
    throw new UsageError('--webhook-url must be a public https URL you control (fal cannot reach this machine otherwise)');
  }
  const print = printer(key);
  const model = cheapestModel();
  const h3 = cheapestH3();
  const budget = new Budget({ capUsd: args.maxUsd ?? Infinity, bills: !target.emulator });
  const jobs = new JobLimit(args.maxJobs);

  const refKey = `live-${randomBytes(12).toString('hex')}`;
  const scoped = args.keyScope === 'admin' ? { apiKey: `${refKey}-api`, adminKey: refKey } : { apiKey: refKey };
  const emu = await startEmulator({ ...REFERENCE_OPTIONS, ...scoped });
  const receivers = args.webhookPort ? await Promise.all([startReceiver(args.webhookPort), startReceiver(0)]) : [];
  try {
    const sides = [
      new Side({ name: 'target', origins: target.origins, key, webhookUrl: args.webhookUrl }),
      new Side({ name: 'emulator', origins: falOrigins(emu.url), key: refKey, webhookUrl: receivers[1]?.url }),
    ];
    receivers.forEach((r, i) => { sides[i].state.receiver = r; });
    /** The target's jobs, cancelled on Ctrl-C (a cancel of an ended job changes nothing). @type {{ cancelUrl: string }[]} */
    const submitted = [];
    process.once('SIGINT', () => {
      print('', `live: interrupted: cancelling the ${submitted.length} job${submitted.length === 1 ? '' : 's'} it submitted, then stopping`);
      Promise.allSettled(submitted.map((j) => sides[0].call('PUT', j.cancelUrl, { timeoutMs: 10_000 })))
        .then((answers) => print(`live: cancel answers: ${answers.map((x) => (x.status === 'fulfilled' ? x.value.status : 'no answer')).join(', ') || 'none'}`))
        .finally(() => process.exit(130));
    });
    /** @type {import('./observations').Ctx} */
    const ctx = {
      target: sides[0],
      model: { ...model, duration: /** @type {string} */ (model.duration) },
      h3,
      image: fs.readFileSync(SAMPLE_IMAGE),
      jobTimeoutMs: args.jobTimeoutMs,
      livePrice: undefined,
      reserved: 0,
      priceUsd: () => Math.max(model.listUsd, ctx.livePrice ? videoPrice(model.spec, { settings: { duration: model.duration } }, ctx.livePrice).usd : 0),
      jobRef: (side, id, queueApp = model.queueApp) => jobRef(side.origins, queueApp, id),
      async submit(side, input, o = {}) {
        const endpoint = o.endpoint ?? model.endpoint;
        const onTarget = side === sides[0];
        const real = o.key === undefined; // only the side's own key can create a job
        if (onTarget && real && jobs.refusal()) throw new Refused(`not submitted: ${jobs.refusal()}`);
        const refund = () => {
          budget.refund(ctx.reserved);
          ctx.reserved = 0;
        };
        try {
          const a = await side.call('POST', `${side.origins.queue}/${endpoint}`, { body: input, qs: o.qs, key: o.key });
          // a request id, or any 2xx, is a job; so may a 5xx be (a gateway's, with the job behind it); a 4xx is none
          const job = typeof (/** @type {any} */ (a.json)?.request_id) === 'string' || a.status < 300 || a.status >= 500;
          if (onTarget && job) jobs.created += 1;
          const id = /** @type {any} */ (a.json)?.request_id;
          if (onTarget && typeof id === 'string') submitted.push(ctx.jobRef(side, id, queueAppOf(endpoint)));
          // a 4xx made no job: its money is taken back, unless a probe's (its row's job may still come)
          else if (onTarget && real && !job && !o.probe) refund();
          return a;
        } catch (e) {
          if (onTarget && real && neverSent(e)) {
            if (!o.probe) refund();
          } else if (onTarget && real) jobs.created += 1; // the submit may have reached fal: count the job
          throw e;
        }
      },
    };
    const hailuo = PAID.filter((o) => o.name !== 'webhook' || args.webhookUrl);
    const cancelQueued = hailuo.filter((o) => o.name === 'cancel-queued');
    const afterPricing = FREE.findIndex((o) => o.name === 'pricing') + 1;
    const observations = [
      ...FREE.slice(0, afterPricing), ...H3_FREE, ...FREE.slice(afterPricing),
      ...hailuo.filter((o) => o.name !== 'cancel-queued'), ...H3_PAID, ...cancelQueued,
    ];
    const run = { budget, jobs, targetName: target.name };
    print(
      `live: target ${target.label}; emulator in-process at ${emu.url} (started for this run)`,
      `live: model ${model.displayName}, ${model.seconds} s, list price ${amount(model.listUsd)}; H3: ${h3.displayName}, ${h3.seconds} s at ${
        h3.resolution}, list price ${amount(h3.listUsd)}; cap ${args.maxUsd === undefined ? 'none (an emulator bills nothing)' : amount(args.maxUsd)}; at most ${
        args.maxJobs} job${args.maxJobs === 1 ? '' : 's'}`,
      '',
      ...tableHead(target.name),
    );
    /** @type {import('./compare').Row[]} */
    const rows = [];
    for (const obs of observations) {
      const row = await observe(obs, ctx, sides, run);
      rows.push(row);
      print(...tableRow(row, target.name));
    }
    const made = rows.filter((r) => r.verdict !== 'skipped');
    const differ = made.filter((r) => r.verdict === 'differs');
    const skipped = rows.filter((r) => r.verdict === 'skipped');
    print('');
    if (skipped.length) print(`skipped: ${skipped.length} (${skipped.map((r) => r.name).join(', ')})`);
    print(`counted against the cap: ${amount(budget.countedUsd)} at list price, ${jobs.created} job${jobs.created === 1 ? '' : 's'} submitted${
      target.emulator ? ' (to an emulator: nothing billed)' : ''}`);
    if (!target.emulator && !args.baseUrl && !differ.length && !skipped.length) {
      const version = require('../../package.json').version;
      print(`docs/development.md (the live contract test): "Tested against fal on ${new Date().toISOString().slice(0, 10)}: n8n-nodes-hailuo ${version}, ${made.length} observations, all match."`);
    }
    print(`live: ${made.length} observations, ${differ.length} differ, ${amount(budget.spentUsd)} spent`);
    return differ.length ? 1 : 0;
  } finally {
    await Promise.all([emu.close(), ...receivers.map((r) => r.close())]);
  }
}

if (require.main === module) {
  process.stdout.on('error', () => {}); // a closed pipe (`| head`) must not stop a run that has submitted jobs
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e) => {
      // a refusal or a crash: its text never holds the key (nothing here puts it in a message), masked anyway
      const key = (process.env.FAL_KEY || '').trim();
      const text = e instanceof UsageError ? `live: ${e.message}\n${USAGE}` : `live: failed: ${e instanceof Error ? e.stack : e}`;
      process.stderr.write(`${key.length >= 8 ? text.split(key).join('***') : text}\n`);
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}

module.exports = { main, REFERENCE_OPTIONS };
