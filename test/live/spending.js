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

/** Amounts in cents, so that 0.19 + 0.19 is 0.38 and not 0.38000000000000006. @param {number} usd */
const cents = (usd) => Math.round(usd * 100);

class Budget {
  /**
   * @param {object} o
   * @param {number} o.capUsd   Infinity when no cap applies (an emulator as the target, without --max-usd)
   * @param {boolean} o.bills   whether the target bills (fal), or not (an emulator): what "spent" means
   */
  constructor(o) {
    this.capCents = Number.isFinite(o.capUsd) ? cents(o.capUsd) : Infinity;
    this.bills = o.bills;
    this.countedCents = 0;
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
    const next = this.countedCents + cents(usd);
    if (next > this.capCents) {
      this.stopped = `the cap: ${what} at USD ${(cents(usd) / 100).toFixed(2)} would bring the total to USD ${(next / 100).toFixed(2)}, over --max-usd ${(this.capCents / 100).toFixed(2)}`;
      return this.stopped;
    }
    this.countedCents = next;
    return undefined;
  }

  /** Takes back what a paid call counted when it provably created no job (fal refused it, or it never left). @param {number} usd */
  refund(usd) {
    this.countedCents = Math.max(0, this.countedCents - cents(usd));
  }

  /** USD counted against the cap (list prices of the paid calls made). */
  get countedUsd() {
    return this.countedCents / 100;
  }

  /** USD spent: what was counted when the target bills, 0 against an emulator. */
  get spentUsd() {
    return this.bills ? this.countedUsd : 0;
  }

  get capUsd() {
    return this.capCents / 100;
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

module.exports = { Budget, JobLimit, cents };
