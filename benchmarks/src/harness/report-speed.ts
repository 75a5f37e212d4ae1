import type { FloorSpread } from './floors.ts';
import { latencyByRate, mid } from './charts.ts';
import type { ProfileResult } from './profile-suite.ts';
import { cellOf, perThousandAt, ratio, section, sp, table, tailOfSteps, type Build } from './report-cells.ts';
import { P99_MIN_N } from '../evidence.ts';
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
  // A p99 only from 1,000 runs (issue 42): a floor of fewer prints its p50 alone.
  const tail = (f.kafkaChain.runs ?? 0) >= P99_MIN_N;
  const row = (name: string, x: { p50: number; p99: number; repetitions?: FloorSpread }) => [
    name,
    cell(x, 'p50'),
    ...(tail ? [cell(x, 'p99')] : []),
  ];
  return section(
    'floors',
    `### Floors (same run, same servers; one at a time${repeated ? `; ${f.repeats} repetitions of ${f.kafkaChain.runs} each, interleaved: median (min–max)` : ''}${tail ? '' : `; p50 only — ${f.kafkaChain.runs} runs per repetition are too few for a p99`})`,
    table(
      ['floor', 'p50 ms', ...(tail ? ['p99 ms'] : [])],
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
    `### Latency (POST /orders sent → order terminal observed), p50 / tail ms per arrival rate (the p99 where a step has ≥ 1,000 sagas, else its maximum of n)${repeats > 1 ? `; ${repeats} repetitions of ${String(r.settings.stepSeconds)} s per rate, interleaved across modes: median (min–max)` : ''}`,
    table(
      ['mode', ...rates.map((x) => `${x}/s`), 'highest sustained', 'p50 at the lowest rate ÷ floor'],
      byMode.map(({ m, byRate }) => [
        m.mode,
        ...rates.map((rate) => {
          const x = byRate.find((y) => y.rate === rate);
          return x
            ? `${cellOf(x.p50s, 0)} / ${tailOfSteps(x.steps)}${x.errors ? ` (${x.errors} err)` : ''}${x.unsteady ? ` **${x.apart}× apart**` : ''}`
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
      [
        'mode',
        'n',
        'p50 ms',
        'p90 ms',
        'p99 ms (from ≥ 1,000 sagas)',
        'max ms',
        'completed/s',
        'not terminal',
        'errors',
      ],
      r.fixed.map((f) => [
        f.mode,
        f.step.count,
        Math.round(f.step.p50),
        Math.round(f.step.p90),
        f.step.count >= P99_MIN_N ? Math.round(f.step.p99) : '—',
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
    `### Compensation (~20 % payment declines, ~10 % out of stock): p50 / tail ms per outcome (the p99 from ≥ 1,000 sagas, else the maximum of n)${sliced ? `, ${r.compensation[0]!.happyP50!.n} slices per mode interleaved, pooled` : ''}`,
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
          return x && x.count ? `${Math.round(x.p50)} / ${tailOfSteps([x])} (n=${x.count})` : '—';
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
