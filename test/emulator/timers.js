// @ts-check
'use strict';

/** Timers that can all be cleared at once, so close() leaves no open handles (and none is made after). */
class Timers {
  constructor() {
    /** @type {Set<NodeJS.Timeout>} */
    this.pending = new Set();
    this.closed = false;
  }

  /** @param {() => void} fn @param {number} ms @returns {NodeJS.Timeout} */
  set(fn, ms) {
    if (this.closed) {
      const never = setTimeout(() => {}, 0); // an inert handle: fn never runs once closed
      clearTimeout(never);
      return never;
    }
    const t = setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, Math.max(0, ms));
    this.pending.add(t);
    return t;
  }

  /** @param {NodeJS.Timeout | undefined} t */
  clear(t) {
    if (!t) return;
    clearTimeout(t);
    this.pending.delete(t);
  }

  /** Resolves after ms (never, if cleared by clearAll first). @param {number} ms @returns {Promise<void>} */
  sleep(ms) {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => this.set(resolve, ms));
  }

  clearAll() {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  /** Clears every timer, and makes later ones inert (emu.close()). */
  close() {
    this.closed = true;
    this.clearAll();
  }
}

module.exports = { Timers };
