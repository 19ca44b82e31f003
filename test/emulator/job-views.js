// @ts-check
'use strict';

/**
 * What the queue protocol shows of a job: the submit answer, the status answer (and SSE event), the result answer,
 * and the outcome a webhook delivers. Reads the job store (queue.js); changes nothing but the result-fetch record.
 */

/** @typedef {import('./queue').JobQueue} JobQueue */
/** @typedef {import('./queue').Job} Job */

/**
 * How the job ended, for webhooks: its output, or the error the result call gives.
 * @param {JobQueue} queue @param {Job} job @returns {{ ok: true, payload: unknown } | { ok: false, status: number, payload: unknown }}
 */
function outcome(queue, job) {
  const err = queue.inner(job).resultError;
  return err ? { ok: false, status: err.status, payload: err.body } : { ok: true, payload: job.output };
}

/** @param {JobQueue} queue @param {Job} job @returns {number} */
function queuePosition(queue, job) {
  let n = 0;
  for (const j of queue.jobs.values()) {
    if (j === job) return n;
    if (j.status === 'IN_QUEUE') n += 1;
  }
  return n;
}

/** @param {JobQueue} queue @param {Job} job */
function urls(queue, job) {
  const ep = queue.inner(job).ep;
  const base = `${queue.opts.baseUrl()}/${ep.owner}/${ep.alias}/requests/${job.requestId}`;
  return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
}

/** The submit answer. @param {JobQueue} queue @param {Job} job */
function submitView(queue, job) {
  const position = queue.opts.reportQueuePosition ? { queue_position: queuePosition(queue, job) } : {};
  return { status: 'IN_QUEUE', request_id: job.requestId, ...urls(queue, job), ...position };
}

/**
 * The status answer (and SSE event).
 * @param {JobQueue} queue @param {Job} job
 * @param {{ logs: boolean, logsFrom?: number }} opt  logsFrom: only logs from this index (stream events)
 * @returns {{ http: number, body: Record<string, unknown> }}
 */
function statusView(queue, job, opt) {
  const inner = queue.inner(job);
  const ended = queue.isEnded(job);
  /** @type {Record<string, unknown>} */
  const body = {
    status: ended ? 'COMPLETED' : job.status,
    request_id: job.requestId,
    ...urls(queue, job),
    logs: opt.logs ? inner.logs.slice(opt.logsFrom || 0) : null,
  };
  if (job.status === 'IN_QUEUE' && queue.opts.reportQueuePosition) body.queue_position = queuePosition(queue, job);
  if (ended) {
    const t = job.startedAt && job.completedAt ? (job.completedAt - job.startedAt) / 1000 : null;
    body.metrics = { inference_time: t };
  }
  if (job.error) {
    body.error = job.error;
    body.error_type = job.errorType;
  }
  return { http: ended ? 200 : 202, body };
}

/**
 * The result answer: the output, or the failure's own status, body and headers (errors.js).
 * @param {JobQueue} queue @param {Job} job
 * @returns {{ http: number, body: unknown, headers: Record<string, string> }}
 */
function resultView(queue, job) {
  if (!queue.isEnded(job)) return { http: 400, body: { detail: 'Request is still in progress' }, headers: {} };
  job.fetched = true;
  job.resultFetches += 1;
  const err = queue.inner(job).resultError;
  if (err) return { http: err.status, body: err.body, headers: err.headers };
  return { http: 200, body: job.output, headers: {} };
}

/** The size of what the result call answers, for retention. @param {JobQueue} queue @param {Job} job */
function resultBytes(queue, job) {
  return Buffer.byteLength(JSON.stringify(outcome(queue, job).payload ?? null));
}

module.exports = { submitView, statusView, resultView, outcome, queuePosition, resultBytes };
