// @ts-check
'use strict';

/**
 * The queue protocol (queue.fal.run): submit, status, status stream (SSE), result, cancel.
 * Auth and faults are handled before these run (server.js).
 */

const { randomUUID } = require('node:crypto');
const { findEndpoint, isKnownApp, validateInput } = require('./schema');
const { sendJson } = require('./http');
const { submitView, statusView, resultView } = require('./job-views');
const { streamStatus } = require('./stream');
const { readStartTimeout, startDeadline } = require('./start-timeout');

/** @typedef {import('./server').Ctx} Ctx */
/** @typedef {import('./queue').Job} Job */

/**
 * POST /{owner}/{alias}/{path}[?fal_webhook=...] — the job records the submit's X-Fal-Store-IO and
 * X-Fal-Object-Lifecycle-Preference (retention.js); X-Fal-Request-Timeout bounds its wait to start (start-timeout.js).
 * @param {Ctx} ctx
 */
async function handleSubmit(ctx) {
  const { queue, options } = ctx.emu;
  const ep = findEndpoint(ctx.params.endpoint);
  if (!ep) {
    sendJson(ctx.res, 404, { detail: `Application '${ctx.params.endpoint}' not found` });
    return;
  }
  // a header fal's gateway refuses comes before the model's input is looked at
  const startTimeout = readStartTimeout(ctx.req.headers['x-fal-request-timeout']);
  if (startTimeout && 'refused' in startTimeout) {
    const { status, body, headers } = startTimeout.refused;
    sendJson(ctx.res, status, body, headers);
    return;
  }
  if (ctx.jsonError !== undefined) {
    sendJson(ctx.res, 422, {
      detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: ctx.jsonError } }],
    });
    return;
  }
  const input = ctx.json === undefined ? {} : ctx.json;
  const errors = options.validation === 'runner' && input && typeof input === 'object' && !Array.isArray(input)
    ? []
    : validateInput(ep, input);
  if (errors.length) {
    sendJson(ctx.res, 422, { detail: errors });
    return;
  }
  const webhookUrl = ctx.url.searchParams.get('fal_webhook') || undefined;
  const job = queue.submit(ep, /** @type {Record<string, unknown>} */ (input), { webhookUrl });
  ctx.emu.retention.recordSubmit(job, ctx.req.headers);
  if (startTimeout) startDeadline(queue, job, startTimeout.seconds, ctx.emu.timers);
  ctx.accepted = true;
  ctx.setRequestId(job.requestId);
  const fault = ctx.takeAcceptFault();
  if (fault?.lateAnswerMs !== undefined) {
    ctx.call.fault = 'lateAnswer';
    await ctx.emu.timers.sleep(fault.lateAnswerMs);
  } else if (fault) {
    await ctx.emu.timers.sleep(fault.delayMs || 0);
    ctx.call.fault = 'afterAccept';
    ctx.res.destroy();
    return;
  }
  sendJson(ctx.res, 200, submitView(queue, job));
}

/**
 * The job named by /{owner}/{alias}/requests/{id}, or undefined (404 already sent). A job lives under its own app
 * only (`minimax/h3-max` for H3 Max, `fal-ai/minimax` for Hailuo): read under another app, its id is answered as
 * an unknown id (404, and a fresh x-fal-request-id, not the job's).
 * @param {Ctx} ctx @param {unknown} notFoundBody @returns {Job | undefined}
 */
function findJob(ctx, notFoundBody) {
  const { owner, alias, id } = ctx.params;
  const job = ctx.emu.queue.get(id);
  if (!isKnownApp(owner, alias) || !job || !job.endpoint.startsWith(`${owner}/${alias}/`)) {
    if (job) ctx.setRequestId(randomUUID());
    sendJson(ctx.res, 404, notFoundBody);
    return undefined;
  }
  ctx.setRequestId(job.requestId);
  return job;
}

/**
 * GET .../requests/{id}/status?logs=0|1 — 202 while queued or running, 200 once ended.
 * @param {Ctx} ctx
 */
function handleStatus(ctx) {
  const job = findJob(ctx, { detail: 'Request not found' });
  if (!job) return;
  const { http, body } = statusView(ctx.emu.queue, job, { logs: ctx.url.searchParams.get('logs') === '1' });
  sendJson(ctx.res, http, body);
}

/**
 * GET .../requests/{id}/status/stream?logs=0|1 — server-sent events (stream.js).
 * @param {Ctx} ctx
 */
function handleStream(ctx) {
  const job = findJob(ctx, { detail: 'Request not found' });
  if (job) streamStatus(ctx, job);
}

/**
 * GET .../requests/{id} — 400 until the job ends; the output, or the job's failure: its status, body and headers
 * (X-Fal-Retryable for a model error, X-Fal-Error-Type for a request error: errors.js).
 * @param {Ctx} ctx
 */
function handleResult(ctx) {
  const job = findJob(ctx, { detail: 'Request not found' });
  if (!job) return;
  const { http, body, headers } = resultView(ctx.emu.queue, job);
  if (ctx.fault?.withoutFileSize && http === 200) {
    ctx.call.fault = 'withoutFileSize';
    const file = Object.values(/** @type {Record<string, Record<string, unknown>>} */ (body))[0];
    const { file_size: _, ...rest } = file;
    sendJson(ctx.res, http, { [Object.keys(/** @type {object} */ (body))[0]]: rest });
    return;
  }
  sendJson(ctx.res, http, body, headers);
}

/**
 * PUT .../requests/{id}/cancel — 202 CANCELLATION_REQUESTED, 400 ALREADY_COMPLETED, 404 NOT_FOUND.
 * @param {Ctx} ctx
 */
function handleCancel(ctx) {
  const job = findJob(ctx, { status: 'NOT_FOUND' });
  if (!job) return;
  const r = ctx.emu.queue.cancel(job);
  sendJson(ctx.res, r === 'CANCELLATION_REQUESTED' ? 202 : 400, { status: r });
}

module.exports = { handleSubmit, handleStatus, handleStream, handleResult, handleCancel };
