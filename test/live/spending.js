// @ts-check
'use strict';

/**
 * What the live test may spend. Before each paid call the price of what it is about to submit is added to what it
 * has counted, and the call is refused when that would pass the cap; after the first refusal every later paid call is
 * refused too (it stops). A paid submit that provably created no job (fal refused it with a 4xx, or the connection was
 * never made) is taken back. A job cancelled while queued is counted at its full price, though fal does not bill it. The
 * number of jobs is bounded apart from money: a submit is refused when the jobs created would pass `maxJobs`, and any
 * submit fal answers with a request id counts as a job (even one meant to be refused, should fal accept it).
 */

/**
 * Amounts in hundredths of a cent (fal bills per-second prices in fractions of a cent: H3 Max Turbo's 5 s at 480P is
 * USD 0.125), so that 0.19 + 0.125 is 0.315 and not 0.31500000000000006, and 0.125 is not rounded to 0.13.
 * @param {number} usd
 */
const units = (usd) => Math.round(usd * 1e4);

/** An amount in words with the decimals it needs, two at least: "USD 0.19", "USD 0.125", "USD 0.315". @param {number} u */
const usdOf = (u) => {
  const s = (u / 1e4).toFixed(4).replace(/0{1,2}$/, '');
  return `USD ${s}`;
};

/** `usd` in words as usdOf says it. @param {number} usd */
const amount = (usd) => usdOf(units(usd));

class Budget {
  /**
   * @param {object} o
   * @param {number} o.capUsd   Infinity when no cap applies (an emulator as the target, without --max-usd)
   * @param {boolean} o.bills   whether the target bills (fal), or not (an emulator): what "spent" means
   */
  constructor(o) {
    this.capUnits = Number.isFinite(o.capUsd) ? units(o.capUsd) : Infinity;
    this.bills = o.bills;
    this.countedUnits = 0;
    /** @type {string | undefined} why paid calls stopped */
    this.stopped = undefined;
  }

  /**
   * Counts `usd` for a paid call about to be made, or refuses it (and every later one).
   * @param {number} usd @param {string} what  e.g. 'the first job (Hailuo 2.3 Fast, 6 s)'
   * @returns {string | undefined}  why it is refused, or undefined when the call may go
   */
  reserve(usd, what) {
    if (this.stopped) return this.stopped;
    const next = this.countedUnits + units(usd);
    if (next > this.capUnits) {
      this.stopped = `the cap: ${what} at ${usdOf(units(usd))} would bring the total to ${usdOf(next)}, over --max-usd ${usdOf(this.capUnits).slice(4)}`;
      return this.stopped;
    }
    this.countedUnits = next;
    return undefined;
  }

  /** Takes back what a paid call counted when it provably created no job (fal refused it, or it never left). @param {number} usd */
  refund(usd) {
    this.countedUnits = Math.max(0, this.countedUnits - units(usd));
  }

  /** USD counted against the cap (list prices of the paid calls made). */
  get countedUsd() {
    return this.countedUnits / 1e4;
  }

  /** USD spent: what was counted when the target bills, 0 against an emulator. */
  get spentUsd() {
    return this.bills ? this.countedUsd : 0;
  }

  get capUsd() {
    return this.capUnits / 1e4;
  }
}

class JobLimit {
  /** @param {number} max */
  constructor(max) {
    this.max = max;
    this.created = 0;
  }

  /** Why one more submit is refused, or undefined. */
  refusal() {
    return this.created >= this.max
      ? `--max-jobs ${this.max}: ${this.created} job${this.created === 1 ? '' : 's'} already submitted (raise it to allow more)`
      : undefined;
  }
}

module.exports = { Budget, JobLimit, units, amount };
