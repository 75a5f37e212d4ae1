import type { Calibration } from './calibration.ts';
import { capacityCiCell, disagreeing, HARNESS_PART, nonMonotonic, pooledSlopes, slopes, sumParts } from './capacity.ts';
import { section, sp, table, type Build } from './report-cells.ts';
import { SLOPE_RULES, slopeCell } from '../evidence.ts';

/** The report's capacity section: the searches, their boundaries, CIs, calibrated ratios and CPU slopes. */
export const capacitySection: Build = (r) => {
  if (!r.capacity?.length) return undefined;
  const c = r.capacity;
  const pss = [...new Set(c.flatMap((x) => Object.keys(x.pssMiB)))];
  // Slopes from every search's stored probes (runs before issue 42 too): a figure only where it holds.
  const fits = (x: (typeof c)[number]) => x.runs.map((run) => run.slopes ?? slopes(run.probes));
  const parts = [...new Set(c.flatMap((x) => fits(x).flatMap((f) => Object.keys(f.parts))))].filter(
    (k) => k !== HARNESS_PART,
  );
  const boundary = (x: (typeof c)[number]) =>
    x.runs.some((run) => run.boundary)
      ? x.runs.map((run) => (run.boundary ? `${run.boundary.passed}/${run.boundary.of}` : '—')).join(', ')
      : 'not confirmed';
  const monotonic = (x: (typeof c)[number]) => {
    const bad = x.runs.filter((run) => run.nonMonotonic ?? nonMonotonic(run.probes)).length;
    const both = disagreeing(x.runs);
    return (
      [
        bad ? `**${bad} of ${x.runs.length} searches not monotonic**` : '',
        both.length ? `**passed and failed: ${both.map((b) => `${b}/s`).join(', ')}**` : '',
      ]
        .filter(Boolean)
        .join('; ') || 'yes'
    );
  };
  const cal = r.machine.calibration as Calibration | undefined;
  const ci = (x: (typeof c)[number]) => capacityCiCell(x.runs.map((run) => run.capacity));
  const calibrated = (x: (typeof c)[number]) =>
    cal
      ? [
          cal.pgbenchTps ? ((1000 * x.capacity.median) / cal.pgbenchTps).toFixed(1) : '—',
          ((x.capacity.median * cal.cpuLoopMs) / 1000).toFixed(1),
        ].join(' / ')
      : '— (no calibration in this run)';
  return section(
    'capacity',
    `### Capacity by search: highest rate with p99 ≤ ${(r.settings.capacity as { p99LimitMs?: number } | undefined)?.p99LimitMs ?? 250} ms, no errors and ≥ 95 % of the offered rate completed (median (min–max) of the searches), the boundary confirmed by longer probes where the run did (passed/probes; it holds when most pass). CPU per additional saga: per search, the least-squares slope of the system's CPU per second (every part but the harness) against the rate over its sustained probes, with its 95 % CI and R² — "—" with the reason where it rests on fewer than ${SLOPE_RULES.minRates} rates, spans less than ${SLOPE_RULES.minSpan}×, is not above 0, its CI includes 0 or R² < ${SLOPE_RULES.minR2}`,
    table(
      [
        'mode',
        'searches',
        'highest sustained /s',
        '95 % CI (bootstrap over the searches)',
        'per 1,000 pgbench tps / × CPU-loop s (calibrated)',
        'boundary confirmed',
        'monotonic',
        'rests on sagas',
        'system CPU ms per saga, per search',
        'the same, all searches pooled',
        'harness CPU ms per saga, per search',
        'PSS MiB at capacity',
        'spread > 2×',
      ],
      c.map((x) => [
        x.mode,
        x.capacity.n,
        sp(x.capacity),
        ci(x),
        calibrated(x),
        boundary(x),
        monotonic(x),
        x.sagas,
        fits(x)
          .map((f) => slopeCell(f.system))
          .join('; '),
        slopeCell(pooledSlopes(x.runs).system),
        fits(x)
          .map((f) => (f.parts[HARNESS_PART] ? slopeCell(f.parts[HARNESS_PART]) : '—'))
          .join('; '),
        pss.length ? `${sumParts(x.pssMiB)} (${pss.map((k) => `${k} ${x.pssMiB[k] ?? 0}`).join(', ')})` : '—',
        x.noisy ? 'yes' : 'no',
      ]),
    ),
    cal
      ? `The machine's calibration at the start of this run: CPU loop ${cal.cpuLoopMs} ms, fdatasync ${cal.fdatasyncPerSecond ?? '—'}/s, pgbench ${cal.pgbenchTps ?? '—'} tps of the service-like transaction. Sagas/s do not travel between machines; the calibrated columns (capacity per 1,000 pgbench tps, and capacity × the CPU loop's seconds) are what two runs on two machines can set side by side.`
      : '',
    table(
      ['mode', 'search', ...parts.map((k) => `${k} CPU ms per saga`)],
      c.flatMap((x) =>
        fits(x).map((f, i) => [x.mode, i + 1, ...parts.map((k) => (f.parts[k] ? slopeCell(f.parts[k]) : '—'))]),
      ),
    ),
    table(
      [
        'mode',
        'run',
        "probes (rate: the criterion's p99 over the probe's n sagas ms, completed/s, ✓ sustained; c: a confirmation probe)",
      ],
      c.flatMap((x) =>
        x.runs.map((run) => [
          x.mode,
          run.repetition,
          run.probes
            .map(
              (p) =>
                `${p.rate}${p.confirm ? 'c' : ''}: ${Math.round(p.p99)} ms of ${p.sagas}, ${p.throughput}/s ${p.sustained ? '✓' : '✗'}`,
            )
            .join('; '),
        ]),
      ),
    ),
  );
};
