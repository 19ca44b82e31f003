// @ts-check
'use strict';

/**
 * The live test's command line. Nothing here echoes what was typed: a fal key pasted as an argument by mistake must
 * not land in the output, so a bad argument is named by its position, a bad value by its flag.
 */

const USAGE = `usage: FAL_KEY=… npm run test:live -- --max-usd 0.55 [options]

Runs a fixed list of observations against fal and against an emulator started for the run, and prints where they
differ. It submits at most three paid jobs, in this order: Hailuo 2.3 Fast 6 s (USD 0.19), H3 Max Turbo 5 s at 480P
(USD 0.125), and a second Hailuo 2.3 Fast cancelled while queued (USD 0.19, counted though fal does not bill it):
USD 0.505 at list price, none past the cap (--max-usd 0.50 makes the first two). Use --max-usd 0.55 for all three.

  --max-usd N         the most it may spend, counted at list price before each paid call (required against fal)
  --max-jobs N        the most jobs it may submit (default 3)
  --base-url URL      replaces the origin of every fal host (queue, storage, platform API), as the credential's
                      Base URL does; an emulator on 127.0.0.1 needs no key and no --max-usd (nothing is billed)
  --key-scope S       api (default) or admin: the scope of FAL_KEY, so that the emulator is given a key like it
  --webhook-url URL   submit the first job with this fal_webhook (a public https URL you control) ...
  --webhook-port N    ... that forwards to this port on 127.0.0.1, where the test receives and checks the delivery
  --job-timeout-s N   how long a job may take before it is given up (default 900)

The key is read from FAL_KEY only, and never printed or written.`;

class UsageError extends Error {}

/**
 * @typedef {object} Args
 * @property {number} [maxUsd]
 * @property {number} maxJobs
 * @property {string} [baseUrl]
 * @property {'api' | 'admin'} keyScope
 * @property {string} [webhookUrl]
 * @property {number} [webhookPort]
 * @property {number} jobTimeoutMs
 * @property {boolean} help
 */

/** @param {string} flag @param {string | undefined} v @param {string} what @param {(n: number) => boolean} ok */
function number(flag, v, what, ok) {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new UsageError(`${flag} takes ${what}`);
  return n;
}

/** @param {string} flag @param {string | undefined} v */
function url(flag, v) {
  try {
    const u = new URL(String(v));
    if (u.protocol === 'http:' || u.protocol === 'https:') return u;
  } catch {
    // below
  }
  throw new UsageError(`${flag} takes an http(s) URL`);
}

/** @param {string[]} argv @returns {Args} */
function parseArgs(argv) {
  /** @type {Args} */
  const a = { maxJobs: 3, keyScope: 'api', jobTimeoutMs: 900_000, help: false };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--help' || flag === '-h') a.help = true;
    else if (flag === '--max-usd') a.maxUsd = number(flag, value(), 'an amount in USD, e.g. 0.55', (n) => n >= 0);
    else if (flag === '--max-jobs') a.maxJobs = number(flag, value(), 'a whole number', (n) => Number.isInteger(n) && n >= 0);
    else if (flag === '--job-timeout-s') a.jobTimeoutMs = 1000 * number(flag, value(), 'a number of seconds', (n) => n > 0);
    else if (flag === '--webhook-port') a.webhookPort = number(flag, value(), 'a port number', (n) => Number.isInteger(n) && n > 0 && n < 65536);
    else if (flag === '--base-url') a.baseUrl = url(flag, value()).href.replace(/\/+$/, '');
    else if (flag === '--webhook-url') a.webhookUrl = url(flag, value()).href;
    else if (flag === '--key-scope') {
      const v = value();
      if (v !== 'api' && v !== 'admin') throw new UsageError('--key-scope takes api or admin');
      a.keyScope = v;
    } else throw new UsageError(`argument ${i + 1} is not one of the options (the key goes in FAL_KEY, never on the command line)`);
  }
  if ((a.webhookUrl === undefined) !== (a.webhookPort === undefined)) {
    throw new UsageError('--webhook-url and --webhook-port go together: the URL must forward to that port on 127.0.0.1');
  }
  return a;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether a URL names this machine. @param {string} u */
function isLoopback(u) {
  return LOOPBACK.has(new URL(u).hostname);
}

module.exports = { parseArgs, UsageError, USAGE, isLoopback };
