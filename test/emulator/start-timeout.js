// @ts-check
'use strict';

/**
 * The submit header `X-Fal-Request-Timeout: N` (fal's "Platform Headers" page; fal's client sends it for
 * `startTimeout`): seconds the request may wait to *start* (queue wait and runner acquisition). A job not started by
 * then ends COMPLETED with the error `request_timeout`, not billed, and its result answers 504 with
 * `X-Fal-Request-Timeout-Type: user` (and `X-Fal-Error-Type: request_timeout`), which fal's client does not retry.
 * It does not bound the generation once started. A value that is not a number of at least 1 second is refused with
 * 400 `bad_request` before any job exists (*assumed*: fal's pages give the minimum as "> 0.1 s" on one page and
 * "at least 1 second" on another, and fal's client refuses 1 or less; the stricter of the pages).
 */

const { requestError, failureOf } = require('./errors');

const MIN_SECONDS = 1;

/** @typedef {import('./queue').Job} Job */
/** @typedef {import('./queue').JobQueue} JobQueue */

/**
 * The header's seconds, an error answer for a bad value, or undefined without the header.
 * @param {string | string[] | undefined} raw
 * @returns {{ seconds: number } | { refused: import('./errors').ErrorAnswer } | undefined}
 */
function readStartTimeout(raw) {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  const seconds = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < MIN_SECONDS) {
    return { refused: requestError('bad_request', { detail: `Invalid X-Fal-Request-Timeout header: ${JSON.stringify(text)} (seconds, at least ${MIN_SECONDS})` }) };
  }
  return { seconds };
}

/**
 * Ends the job with fal's user timeout if it has not started `seconds` after now.
 * @param {JobQueue} queue @param {Job} job @param {number} seconds @param {import('./timers').Timers} timers
 */
function startDeadline(queue, job, seconds, timers) {
  job.requestTimeoutS = seconds;
  timers.set(() => {
    if (queue.jobs.get(job.requestId) !== job || job.status !== 'IN_QUEUE') return; // started, ended, or reset
    queue.fail(job, failureOf('request_timeout', { timeoutType: 'user' }));
  }, seconds * 1000);
}

module.exports = { readStartTimeout, startDeadline };
