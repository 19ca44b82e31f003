// @ts-check
'use strict';

/**
 * The status stream, GET .../requests/{id}/status/stream?logs=0|1 — server-sent events: one `data: <status json>`
 * event per change of status (and, with streamFirstEvent 'at-once', the current status first); the stream ends after
 * COMPLETED. Stream events carry only the logs new since the previous event. Like fal ("Stream request status": "The
 * server sends a comment line every 15 seconds to keep the connection open"), a comment line `: keep-alive` comes
 * every `streamKeepAliveMs` (default 15000; 0 = never) while the stream is open.
 *
 * Faults: cutAfterBytes (destroyed mid-way), stallAfterBytes (nothing more after N bytes, no comments either),
 * silent (headers, then nothing at all: a dead connection), commentsOnly (alive: keep-alive comments, never an
 * event, open until the client gives up).
 */

const { statusView } = require('./job-views');

/** @typedef {import('./server').Ctx} Ctx */
/** @typedef {import('./queue').Job} Job */

const KEEP_ALIVE = Buffer.from(': keep-alive\n\n');

/**
 * @param {Ctx} ctx @param {Job} job  found (queue-routes.js)
 */
function streamStatus(ctx, job) {
  const { queue, timers, options } = ctx.emu;
  const { res } = ctx;
  const logs = ctx.url.searchParams.get('logs') === '1';
  const f = ctx.fault || { route: 'stream' };
  const cut = f.cutAfterBytes;
  const stall = f.stallAfterBytes;
  let written = 0;
  let logsFrom = 0;
  let stalled = false;
  /** @type {string | null} */
  let last = null;
  /** @type {() => void} */
  let unsubscribe = () => {};
  /** @type {NodeJS.Timeout | undefined} */
  let keepAlive;

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  if (f.silent) return; // headers only: no event, no comment, the stream left open

  const stopKeepAlive = () => timers.clear(keepAlive);
  const every = options.streamKeepAliveMs;
  const tick = () => {
    if (res.destroyed || res.writableEnded || stalled) return;
    res.write(KEEP_ALIVE);
    keepAlive = timers.set(tick, every);
  };
  if (every > 0) keepAlive = timers.set(tick, every);
  res.on('close', () => {
    stopKeepAlive();
    unsubscribe();
  });
  if (f.commentsOnly) return; // alive, never a status

  /** @param {Job} j */
  const send = (j) => {
    if (res.destroyed) return;
    last = j.status;
    const { body } = statusView(queue, j, { logs, logsFrom });
    logsFrom = queue.logCount(j);
    let frame = Buffer.from(`data: ${JSON.stringify(body)}\n\n`);
    if (cut !== undefined && written + frame.length >= cut) {
      frame = frame.subarray(0, Math.max(0, cut - written));
      unsubscribe();
      stopKeepAlive();
      res.write(frame, () => res.destroy());
      return;
    }
    if (stall !== undefined && written + frame.length >= stall) {
      frame = frame.subarray(0, Math.max(0, stall - written));
      unsubscribe(); // nothing more, the stream left open
      stalled = true;
      stopKeepAlive();
      res.write(frame);
      return;
    }
    written += frame.length;
    res.write(frame);
    if (queue.isEnded(j)) {
      unsubscribe();
      stopKeepAlive();
      res.end();
    }
  };

  unsubscribe = queue.subscribe(job, (j) => {
    if (!j) {
      unsubscribe();
      stopKeepAlive();
      res.end();
      return;
    }
    if (j.status !== last) send(j);
  });
  // 'on-change' (the default): fal's docs do not promise that the stream starts with the current status
  if (options.streamFirstEvent === 'at-once' || queue.isEnded(job)) send(job);
  else last = job.status;
}

module.exports = { streamStatus, KEEP_ALIVE };
