// The search for a server's saturation rate: the highest offered rate at which a probe holds
// (p99 under the bound, nothing lost). Not the top of a ramp: it grows by `factor` from `start`
// until a rate fails, then bisects between the best rate that held and the lowest that failed,
// until they are within `precision` of each other or `maxProbes` probes are spent. When even
// `start` fails it steps down by `factor` (not below `min`) until one holds. Pure: the caller
// runs each probe, so two searches can be interleaved probe by probe.

export function saturationSearch({ start, factor = 2, min = 1, max = Infinity, precision = 0.1, maxProbes = 8 }) {
  let held = 0;
  let failed = Infinity;
  const history = [];
  return {
    /** The next rate to probe, or null when the search is done. */
    next() {
      if (history.length >= maxProbes) return null;
      if (failed === Infinity) return held === 0 ? start : held >= max ? null : Math.min(max, Math.round(held * factor));
      if (held === 0) {
        const lower = Math.round(failed / factor);
        return lower < min || lower >= failed ? null : lower;
      }
      if ((failed - held) / held <= precision) return null;
      const mid = Math.round((held + failed) / 2);
      return mid <= held || mid >= failed ? null : mid;
    },
    /** Records a probe's outcome. */
    record(rate, ok) {
      history.push({ rate, ok });
      if (ok) held = Math.max(held, rate);
      else failed = Math.min(failed, rate);
    },
    /** The highest rate that held (null if none), the lowest that failed (null if none) and every probe. */
    result() {
      return { best: held || null, lowestFailed: Number.isFinite(failed) ? failed : null, probes: [...history] };
    },
  };
}
