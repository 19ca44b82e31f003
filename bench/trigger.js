// @ts-check
'use strict';

/**
 * The Hailuo Trigger's figures for `npm run bench`: the queue-mode suite's trigger scenario (test/queue/trigger.js:
 * real Redis, PostgreSQL, an n8n main and two workers, fal's webhooks from the emulator) with more jobs, and the line
 * of figures it prints: deliveries per minute turned into executions, and fal's COMPLETED → video in n8n's binary store
 * (median, p95).
 */

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

/** @param {number} jobs @returns {{ line: string, ok: boolean }} */
function triggerFigures(jobs) {
  const r = spawnSync(process.execPath, ['test/queue/queue.js', '--only', 'trigger', '--trigger-jobs', String(jobs), '--no-build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 15 * 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const line = out.split('\n').find((l) => /^\s*trigger: \d+ deliveries/.test(l));
  if (r.status === 0 && line) return { line: line.trim(), ok: true };
  const last = out.trim().split('\n').slice(-3).join(' / ');
  return { line: `not measured (queue-mode run exited ${r.status}: ${last.slice(0, 300)})`, ok: false };
}

module.exports = { triggerFigures };
