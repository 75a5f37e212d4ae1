import type { FloorSpread } from './floors.ts';
import { latencyByRate, mid } from './charts.ts';
import { disagreeing, HARNESS_PART, nonMonotonic, slopes, sumParts } from './capacity.ts';
import type { ProfileResult } from './profile-suite.ts';
import { cellOf, perThousandAt, ratio, section, sp, table, type Build } from './report-cells.ts';
import { SLOPE_RULES, slopeCell } from '../evidence.ts';
import { pooledLatency } from './report-latency.ts';
export { ioSection } from './report-latency.ts';

/** The report's sections on speed and cost: floors, latency, fixed run, compensation, API, resources, capacity, profile. */

export const floorsSection: Build = (r) => {
  if (!r.floors) return undefined;
  const f = r.floors;
  const repeated = (f.repeats ?? 1) > 1;
  const cell = (x: { p50: number; p99: number; repetitions?: FloorSpread }, p: 'p50' | 'p99') =>
    repeated && x.repetitions
      ? `${sp(x.repetitions[p])}${p === 'p50' && x.repetitions.unsteady ? ` **${x.repetitions.apart}× apart**` : ''}`
      : x[p];
  const row = (name: string, x: { p50: number; p99: number; repetitions?: FloorSpread }) => [
    name,
    cell(x, 'p50'),
    cell(x, 'p99'),
  ];
  return section(
    'floors',
    `### Floors (same run, same servers; one at a time${repeated ? `; ${f.repeats} repetitions of ${f.kafkaChain.runs} each, interleaved: median (min–max)` : ''})`,
    table(
      ['floor', 'p50 ms', 'p99 ms'],
      [
        row(`Kafka chain: ${f.kafkaChain.stages} (commit + produce → consume each)`, f.kafkaChain),
        row(`HTTP chain: ${f.httpChain.stages} (commit + call + commit per http)`, f.httpChain),
        ...f.temporal.map((t) =>
          row(
            `Temporal ${t.server === 'pg' ? 'server on PostgreSQL' : 'dev server'}: workflow of 4 no-op ${t.activities} activities`,
            t,
          ),
        ),
        ...(f.dbos ? [row('DBOS: workflow of 4 no-op steps (its state in PostgreSQL)', f.dbos)] : []),
        ...(f.restate
          ? [row('Restate: workflow of 4 no-op ctx.run steps (its journal in the Restate server)', f.restate)]
          : []),
      ],
    ),
  );
};

export const latencySection: Build = (r) => {
  if (!r.latency?.length) return undefined;
  if (r.latency.some((m) => m.pooled?.length)) return pooledLatency(r);
  const rates = [...new Set(r.latency.flatMap((m) => m.steps.map((s) => s.rate)))].sort((a, b) => a - b);
  const repeats = Math.max(...r.latency.map((m) => m.repeats ?? 1));
  const byMode = r.latency.map((m) => ({ m, byRate: latencyByRate(m.steps) }));
  const unsteady = byMode.flatMap(({ m, byRate }) =>
    byRate.filter((x) => x.unsteady).map((x) => `${m.mode} at ${x.rate}/s (p50 ${x.apart}× apart)`),
  );
  return section(
    'latency',
    `### Latency (POST /orders sent → order terminal observed), p50 / p99 ms per arrival rate${repeats > 1 ? `; ${repeats} repetitions of ${String(r.settings.stepSeconds)} s per rate, interleaved across modes: median (min–max)` : ''}`,
    table(
      ['mode', ...rates.map((x) => `${x}/s`), 'highest sustained', 'p50 at the lowest rate ÷ floor'],
      byMode.map(({ m, byRate }) => [
        m.mode,
        ...rates.map((rate) => {
          const x = byRate.find((y) => y.rate === rate);
          return x
            ? `${cellOf(x.p50s, 0)} / ${cellOf(x.p99s, 0)}${x.errors ? ` (${x.errors} err)` : ''}${x.unsteady ? ` **${x.apart}× apart**` : ''}`
            : '—';
        }),
        `${m.highestSustainedRate}/s`,
        ratio(r, m.mode, byRate[0] && mid(byRate[0].p50s)),
      ]),
    ),
    unsteady.length
      ? `**Unsteady:** ${unsteady.join(', ')} — the repetitions disagree by more than 2×; read those figures as a range, or run again.`
      : '',
  );
};

export const fixedSection: Build = (r) => {
  if (!r.fixed?.length) return undefined;
  return section(
    'fixed',
    `### Fixed run: ${r.fixed[0]!.step.count} happy-path sagas at ${r.fixed[0]!.step.rate}/s`,
    table(
      ['mode', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'completed/s', 'not terminal', 'errors'],
      r.fixed.map((f) => [
        f.mode,
        Math.round(f.step.p50),
        Math.round(f.step.p90),
        Math.round(f.step.p99),
        Math.round(f.step.max),
        f.step.throughput,
        f.step.notTerminal,
        f.step.errors,
      ]),
    ),
  );
};

export const compensationSection: Build = (r) => {
  if (!r.compensation?.length) return undefined;
  const sliced = r.compensation.some((c) => (c.happyP50?.n ?? 1) > 1);
  const unsteady = r.compensation.filter((c) => c.unsteady);
  return section(
    'compensation',
    `### Compensation (~20 % payment declines, ~10 % out of stock): p50 / p99 ms per outcome${sliced ? `, ${r.compensation[0]!.happyP50!.n} slices per mode interleaved, pooled` : ''}`,
    table(
      [
        'mode',
        'approved',
        'declined (full rollback)',
        'out of stock',
        'compensations / expected',
        'wrong outcome',
        ...(sliced ? ['approved p50 per slice: median (min–max)'] : []),
        'approved p50 ÷ floor',
      ],
      r.compensation.map((c) => {
        const k = (kind: string) => {
          const x = c.byKind.find((b) => b.kind === kind);
          return x && x.count ? `${Math.round(x.p50)} / ${Math.round(x.p99)} (n=${x.count})` : '—';
        };
        const slices = c.happyP50
          ? `${Math.round(c.happyP50.median)} (${Math.round(c.happyP50.min)}–${Math.round(c.happyP50.max)})${c.unsteady ? ` **${c.slicesApart}× apart**` : ''}`
          : '—';
        return [
          c.mode,
          k('happy'),
          k('declined'),
          k('outOfStock'),
          `${c.compensations} / ${c.expectedCompensations}${c.ok ? '' : ' FAILED'}`,
          c.wrongOutcome,
          ...(sliced ? [slices] : []),
          ratio(r, c.mode, c.byKind.find((b) => b.kind === 'happy')?.p50),
        ];
      }),
    ),
    unsteady.length
      ? `**Unsteady:** ${unsteady.map((c) => `${c.mode} (its slices' approved p50 ${c.slicesApart}× apart)`).join(', ')} — the machine was not quiet for it; read its figures as a range, or run again.`
      : '',
  );
};

export const apiSection: Build = (r) => {
  if (!r.api) return undefined;
  const a = r.api;
  return section(
    'api',
    `### API accept (autocannon, closed loop, ${a.connections} connections, ${a.seconds} s, POST /orders)`,
    table(
      ['accepted/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors', 'drained by'],
      [[Math.round(a.requestsPerSecond), a.p50, a.p99, a.max, a.non2xx, a.errors, a.coordinator]],
    ),
  );
};

export const resourcesSection: Build = (r) => {
  const usageRows = (r.latency ?? []).flatMap((m) =>
    latencyByRate(m.steps).flatMap((x) => {
      const u = perThousandAt(x.steps);
      return u ? [{ mode: m.mode, rate: x.rate, u }] : [];
    }),
  );
  if (!usageRows.length) return undefined;
  return section(
    'resources',
    `### Resources during the latency suite: CPU seconds per 1,000 sagas and peak RSS (MiB), per part — steps where the mode kept up only (≥ 95 % of the offered rate completed)${usageRows.some((x) => x.u.total.length > 1) ? ' (CPU: median (min–max) of the repetitions; RSS: the highest)' : ''}`,
    table(
      [
        'mode',
        'rate',
        'sagas',
        'coordinator CPU s / 1k',
        'services',
        'PostgreSQL',
        'Kafka',
        'engine server (Temporal, Restate)',
        'total CPU s / 1k',
        'peak RSS coordinator / services / PG / Kafka / engine server',
        'processes',
      ],
      usageRows.map(({ mode, rate, u }) => [
        mode,
        `${rate}/s`,
        u.n,
        ...u.cpu.map((c) => (c === undefined ? '—' : cellOf(c, 1))),
        cellOf(u.total, 1),
        u.peakRss.map((x) => x ?? '—').join(' / '),
        u.processes,
      ]),
    ),
  );
};

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
  return section(
    'capacity',
    `### Capacity by search: highest rate with p99 ≤ ${(r.settings.capacity as { p99LimitMs?: number } | undefined)?.p99LimitMs ?? 250} ms, no errors and ≥ 95 % of the offered rate completed (median (min–max) of the searches), the boundary confirmed by longer probes where the run did (passed/probes; it holds when most pass). CPU per additional saga: per search, the least-squares slope of the system's CPU per second (every part but the harness) against the rate over its sustained probes, with its 95 % CI and R² — "—" with the reason where it rests on fewer than ${SLOPE_RULES.minRates} rates, spans less than ${SLOPE_RULES.minSpan}×, is not above 0, its CI includes 0 or R² < ${SLOPE_RULES.minR2}`,
    table(
      [
        'mode',
        'searches',
        'highest sustained /s',
        'boundary confirmed',
        'monotonic',
        'rests on sagas',
        'system CPU ms per saga, per search',
        'harness CPU ms per saga, per search',
        'PSS MiB at capacity',
        'spread > 2×',
      ],
      c.map((x) => [
        x.mode,
        x.capacity.n,
        sp(x.capacity),
        boundary(x),
        monotonic(x),
        x.sagas,
        fits(x)
          .map((f) => slopeCell(f.system))
          .join('; '),
        fits(x)
          .map((f) => (f.parts[HARNESS_PART] ? slopeCell(f.parts[HARNESS_PART]) : '—'))
          .join('; '),
        pss.length ? `${sumParts(x.pssMiB)} (${pss.map((k) => `${k} ${x.pssMiB[k] ?? 0}`).join(', ')})` : '—',
        x.noisy ? 'yes' : 'no',
      ]),
    ),
    table(
      ['mode', 'search', ...parts.map((k) => `${k} CPU ms per saga`)],
      c.flatMap((x) =>
        fits(x).map((f, i) => [x.mode, i + 1, ...parts.map((k) => (f.parts[k] ? slopeCell(f.parts[k]) : '—'))]),
      ),
    ),
    table(
      ['mode', 'run', 'probes (rate: p99 ms, completed/s, ✓ sustained; c: a confirmation probe)'],
      c.flatMap((x) =>
        x.runs.map((run) => [
          x.mode,
          run.repetition,
          run.probes
            .map(
              (p) =>
                `${p.rate}${p.confirm ? 'c' : ''}: ${Math.round(p.p99)} ms, ${p.throughput}/s ${p.sustained ? '✓' : '✗'}`,
            )
            .join('; '),
        ]),
      ),
    ),
  );
};

export const profileSection: Build = (r) => {
  if (!r.profile?.length) return undefined;
  const p = r.profile;
  const parts = [...new Set(p.flatMap((x) => Object.keys(x.cpuMsPerSaga)))];
  const sum = (x: ProfileResult) => Math.round(Object.values(x.cpuMsPerSaga).reduce((a, b) => a + b, 0) * 100) / 100;
  return section(
    'profile',
    `### Profile: CPU per saga per part at ${p[0]!.rate} sagas/s (the /proc meter: every process and thread), and where each process of ours spends it (V8 profiles, start-up and warm-up left out)`,
    table(
      ['mode', 'sagas', ...parts.map((x) => `${x} ms`), 'total ms per saga'],
      p.map((x) => [x.mode, x.sagas, ...parts.map((k) => x.cpuMsPerSaga[k] ?? '—'), sum(x)]),
    ),
    p.some((x) => x.postgresMsPerSaga?.length)
      ? table(
          ['mode', "PostgreSQL's ms per saga by process (backends by database)"],
          p.map((x) => [x.mode, (x.postgresMsPerSaga ?? []).map((q) => `${q.role} ${q.ms}`).join(', ') || '—']),
        )
      : '',
    table(
      [
        'mode',
        'process',
        'CPU ms per saga',
        'JavaScript time by place (share of its samples)',
        'top functions (share)',
      ],
      p.flatMap((x) =>
        x.processes
          .filter((q) => q.top.length > 0)
          .map((q) => [
            x.mode,
            q.name,
            q.cpuMsPerSaga ?? '(in its process)',
            q.byPlace
              .slice(0, 6)
              .map((b) => `${b.place} ${Math.round(b.share)} %`)
              .join(', '),
            q.top
              .slice(0, 5)
              .map((f) => `${f.fn} (${f.place}) ${Math.round(f.share)} %`)
              .join('; '),
          ]),
      ),
    ),
  );
};
