/** Percentiles of a sample (nearest-rank), in the sample's unit. */
export const percentiles = (samples: number[], ps = [50, 90, 99, 99.9]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return {
    count: sorted.length,
    min: sorted[0] ?? NaN,
    ...Object.fromEntries(ps.map((p) => [`p${p}`, at(p)])),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
  } as { count: number; min: number; max: number; mean: number; [p: `p${number}`]: number };
};

export const round = (ms: number) => Math.round(ms * 100) / 100;

/** Median and range of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export const spread = (xs: number[]): Spread => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { median: round(mid), min: round(s[0]!), max: round(s.at(-1)!), n: s.length };
};

/**
 * Repetitions of one figure: their spread, how far apart the extremes are (highest ÷ lowest), and
 * whether that is more than `limit`× — the repetitions then disagree too much to quote one number.
 */
export const repetitions = (xs: number[], limit = 2) => {
  const s = spread(xs);
  const apart = s.min > 0 ? round(s.max / s.min) : s.max > 0 ? Infinity : 1;
  return { spread: s, apart, unsteady: xs.length > 1 && apart > limit };
};

/** How many of each: `{ a: 2, b: 1 }` for `['a', 'b', 'a']`. */
export const tally = (xs: Iterable<string>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
};

/** A tally as one phrase, most first: `a ×2, b ×1`. */
export const formatTally = (t: Record<string, number>) =>
  Object.entries(t)
    .sort((x, y) => y[1] - x[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ');
