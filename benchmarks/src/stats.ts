/** Percentiles of a sample (nearest-rank), in the sample's unit. */
export const percentiles = (samples: number[], ps = [50, 90, 99, 99.9]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
  return {
    count: sorted.length,
    min: sorted[0] ?? NaN,
    ...Object.fromEntries(ps.map((p) => [`p${p}`, at(p)])),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
  } as { count: number; min: number; max: number; mean: number; [p: `p${number}`]: number };
};

export const round = (ms: number) => Math.round(ms * 100) / 100;
