// @ts-check
'use strict';

/** Figures read from an emulator's records (emu.jobs, emu.calls, emu.stats()), and their formatting. */

/** fal's own routes; `sample` is the image host (not fal), and the runner's reads are fal's, not the client's. */
const FAL_ROUTES = new Set(['submit', 'status', 'stream', 'result', 'cancel', 'initiate', 'upload', 'file', 'cdn', 'pricing', 'models']);

/** Nearest-rank percentile of a list of numbers. @param {number[]} xs @param {number} p */
function percentile(xs, p) {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * What one run did on its emulator.
 * @param {import('../test/emulator').Emulator} emu
 */
function runFigures(emu) {
  const jobs = [...emu.jobs.values()];
  const calls = emu.calls.filter((c) => !c.runner);
  // lag: fal's COMPLETED (the job's completedAt) → the first result call of that job reaching fal
  const lags = jobs.map((job) => {
    const result = calls.find((c) => c.route === 'result' && c.requestId === job.requestId);
    return result && job.completedAt !== undefined ? result.at - job.completedAt : NaN;
  });
  /** @type {Record<string, number>} */
  const routes = {};
  for (const c of calls) routes[c.route] = (routes[c.route] ?? 0) + 1;
  const falCalls = calls.filter((c) => FAL_ROUTES.has(c.route)).length;
  const stats = emu.stats();
  return {
    jobs: jobs.length,
    completed: jobs.filter((j) => j.status === 'COMPLETED' && !j.error).length,
    lags: lags.filter((l) => Number.isFinite(l)),
    missingResults: lags.filter((l) => !Number.isFinite(l)).length,
    routes,
    sequence: calls.map((c) => c.route),
    // each call's arrival, in seconds after the first call of the run
    timeline: calls.map((c) => `${c.route} ${((c.at - (calls[0]?.at ?? 0)) / 1000).toFixed(1)}`),
    falCalls,
    allCalls: calls.length,
    maxInFlight: stats.maxInFlight,
    downloads: stats.downloads,
    duplicates: stats.duplicates,
  };
}

const s = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(2)} s`;
const msf = (/** @type {number} */ ms) => (ms >= 1000 ? s(ms) : `${Math.round(ms)} ms`);
const mb = (/** @type {number} */ bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const x = (/** @type {number} */ r) => (r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(1)}×`);

/** A markdown table. @param {string[]} head @param {Array<Array<string | number>>} rows */
function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

module.exports = { runFigures, percentile, table, s, msf, mb, x, FAL_ROUTES };
