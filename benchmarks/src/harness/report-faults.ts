import { formatTally } from '../stats.ts';
import { latencyByRate, mid } from './charts.ts';
import type { RecoveryResult } from './recovery.ts';
import {
  perThousand,
  perThousandAt,
  recoveryCell,
  section,
  table,
  tailOfSteps,
  tailOrMax,
  type Build,
} from './report-cells.ts';
import { P99_MIN_N } from '../evidence.ts';

/** The report's sections on faults and effort: recovery, chaos soak, complexity, and the one-table comparison. */

export const recoverySection: Build = (r) => {
  const rec = r.recovery ?? [];
  if (!rec.length) return undefined;
  const repeated = rec.some((x) => (x.repetition ?? 1) > 1);
  const cases = [...new Map(rec.map((x) => [`${x.fault} ${x.mode}`, { fault: x.fault, mode: x.mode }])).values()];
  return section(
    'recovery',
    `### Recovery: one fault at a time under a steady ${rec[0]!.rate} sagas/s${repeated ? '; every fault on every mode repeated, interleaved across the modes: counts summed, times as median (min–max); each slice below' : ''}`,
    repeated
      ? table(
          [
            'fault',
            'mode',
            'repetitions',
            'accepted / refused',
            'lost',
            'wrong effects',
            'rejected instead of approved',
            'operator retries',
            'down s',
            'all in-flight terminal after s',
            'normal latency after fault s',
            'p99 minute after ms (its max where a slice has under 1,000 sagas)',
            'crashed',
          ],
          cases.map(({ fault, mode }) => {
            const xs = rec.filter((x) => x.fault === fault && x.mode === mode);
            const sum = (f: (x: RecoveryResult) => number) => xs.reduce((a, x) => a + f(x), 0);
            return [
              fault,
              mode,
              xs.length,
              `${sum((x) => x.accepted)} / ${sum((x) => x.refused)}`,
              sum((x) => x.lost),
              sum((x) => x.wrongEffects),
              sum((x) => x.rejectedInsteadOfApproved),
              sum((x) => x.operatorRetries),
              recoveryCell(
                xs.map((x) => x.downSeconds),
                '—',
              ),
              recoveryCell(
                xs.map((x) => x.recoverySeconds),
                'not all terminal',
              ),
              recoveryCell(
                xs.map((x) => x.normalAfterSeconds),
                'not in the load window',
              ),
              recoveryCell(
                // Fewer than 1,000 sagas (the slice's n, or all it accepted where n was not recorded): the largest.
                xs.map((x) => ((x.nAfter ?? x.accepted) < P99_MIN_N ? (x.maxAfterMs ?? null) : x.p99AfterMs)),
                '—',
              ),
              xs.flatMap((x) => x.crashed).join(', ') || '—',
            ];
          }),
        )
      : '',
    table(
      [
        ...(repeated ? ['rep'] : []),
        'fault',
        'mode',
        'part (pid)',
        'accepted / refused',
        'lost',
        'wrong effects',
        'rejected instead of approved',
        'operator retries',
        'down s',
        'all in-flight terminal after s',
        'normal latency after fault s',
        'p99 (max of n under 1,000) before → minute after ms',
        'max after ms',
      ],
      rec
        .map((x) => [
          ...(repeated ? [x.repetition ?? 1] : []),
          x.fault,
          x.mode,
          `${x.target} (${x.pid})`,
          `${x.accepted} / ${x.refused}`,
          x.lost,
          x.wrongEffects ? `${x.wrongEffects} (${x.wrongEffectKinds.join(', ')})` : 0,
          x.rejectedInsteadOfApproved,
          x.operatorRetries,
          x.downSeconds,
          x.recoverySeconds ?? '—',
          x.normalAfterSeconds ?? '—',
          `${tailOrMax(x.p99BeforeMs, x.maxBeforeMs, x.nBefore, x.accepted)} → ${tailOrMax(x.p99AfterMs, x.maxAfterMs, x.nAfter, x.accepted)}`,
          x.maxAfterMs ?? '—',
        ])
        .map((row, i) =>
          rec[i]!.crashed.length
            ? [...row.slice(0, -1), `${String(row.at(-1))}; crashed: ${rec[i]!.crashed.join(', ')}`]
            : row,
        ),
    ),
  );
};

export const chaosSection: Build = (r) => {
  if (!r.chaos?.length) return undefined;
  const c = r.chaos;
  return section(
    'chaos',
    `### Chaos soak: faults overlapping under a steady ${c[0]!.rate} sagas/s (targets: 0 lost, 0 wrong effects, 0 parked, ≤ 1 % of happy orders rejected)`,
    table(
      [
        'mode',
        'sagas',
        'refused',
        'lost',
        'wrong effects',
        'parked',
        'happy rejected',
        'coordinator kills',
        'restart s p50 / max',
        'duplicates',
        'poison',
        'p50 / p99 (max of n under 1,000) during ms',
        'p99 (max of n under 1,000) after ms',
        'CPU busy during',
        'crashed',
      ],
      c.map((x) => [
        x.mode,
        x.accepted,
        x.refused,
        x.lost,
        x.wrongEffects ? `${x.wrongEffects} (${x.wrongEffectKinds.join(', ')})` : 0,
        `${x.parked}${x.parked && x.parkedReasons ? `: ${formatTally(x.parkedReasons)}` : ''}`,
        `${x.rejectedInsteadOfApproved} (${(x.rejectedShare * 100).toFixed(1)} %)${x.rejectedInsteadOfApproved && x.rejectedReasons ? `: ${formatTally(x.rejectedReasons)}` : ''}`,
        x.coordinatorKills,
        `${x.restartP50Seconds ?? '—'} / ${x.restartMaxSeconds ?? '—'}`,
        x.duplicated,
        x.poison,
        `${x.p50DuringMs ?? '—'} / ${tailOrMax(x.p99DuringMs, x.maxDuringMs, x.nDuring, x.accepted)}`,
        tailOrMax(x.p99AfterMs, x.maxAfterMs, x.nAfter, x.accepted),
        x.cpuBusyDuring == null ? '—' : `${Math.round(x.cpuBusyDuring * 100)} %`,
        x.crashed.join(', ') || '—',
      ]),
    ),
  );
};

export const complexitySection: Build = (r) => {
  if (!r.complexity) return undefined;
  const c = r.complexity;
  return section(
    'complexity',
    "### Complexity of each coordinator's own code (tests and shared service code excluded)",
    table(
      [
        'coordinator',
        'TypeScript lines',
        'SQL lines',
        'files',
        'functions',
        'cyclomatic max / mean / over 10',
        'most complex',
        'npm dependencies (installed with them)',
        'shared packages used (their lines)',
        'concepts to learn: ours / platform',
      ],
      c.coordinators.map((x) => [
        x.coordinator,
        x.lines,
        x.sqlLines,
        x.files.length,
        x.functions,
        `${x.complexity.max} / ${x.complexity.mean} / ${x.complexity.over10}`,
        x.complexity.top
          .slice(0, 2)
          .map((f) => `${f.name} ${f.file.split('/').pop()}:${f.line} (${f.complexity})`)
          .join('; '),
        `${x.dependencies.direct.join(', ') || '—'} (${x.dependencies.installed})`,
        x.dependencies.sharedPackages.map((p) => `${p.name.replace('@saga/', '')} ${p.lines}`).join(', '),
        `${x.concepts.filter((k) => k.kind === 'ours').length} / ${x.concepts.filter((k) => k.kind === 'platform').length}`,
      ]),
    ),
    table(
      ['mode', 'processes of ours', 'servers', 'inspect and repair a saga'],
      c.operations.map((o) => [o.mode, o.processes, o.servers.join(', '), o.inspection]),
    ),
  );
};

/** Per mode: latency and capacity, resources, recovery and the correctness record side by side. */
const decisionTable: (r: Parameters<Build>[0]) => string = (r) => {
  const rates = [...new Set((r.latency ?? []).flatMap((m) => m.steps.map((s) => s.rate)))].sort((a, b) => a - b);
  // Resources per saga at the highest rate every mode ran (at low rates idle work dominates).
  const at =
    [...rates]
      .reverse()
      .find((x) => (r.latency ?? []).every((m) => m.steps.some((s) => s.rate === x && perThousand(s)))) ?? rates[0];
  const top = rates.at(-1);
  const normalAfter = (rec: RecoveryResult[], fault: string) => {
    const xs = rec.filter((y) => y.fault === fault).map((y) => y.normalAfterSeconds);
    if (!xs.length) return '—';
    const got = xs.filter((x): x is number => x !== null);
    return got.length * 2 <= xs.length ? 'not in the load window' : `${Math.round(mid(got))}`;
  };
  return table(
    [
      'mode',
      `p50 / tail ms at ${rates[0]}/s (p99 from ≥ 1,000 sagas, else max of n)`,
      'highest sustained',
      `CPU s per 1k sagas at ${at}/s (the highest rate every mode kept up), all parts (coordinator)`,
      `peak RSS MiB at ${at}/s: coordinator / engine server`,
      'lost / wrong effects, all faults',
      'latency normal again after a coordinator kill / payment kill (s)',
      'happy orders rejected during faults',
      'operator retries',
    ],
    (r.latency ?? []).map((m) => {
      const byRate = latencyByRate(m.steps);
      const first = byRate[0];
      const u = perThousandAt(byRate.find((x) => x.rate === at)?.steps ?? []);
      const rec = (r.recovery ?? []).filter((x) => x.mode === m.mode);
      return [
        m.mode,
        first ? `${Math.round(mid(first.p50s))} / ${tailOfSteps(first.steps)}` : '—',
        m.highestSustainedRate === top ? `≥ ${top}/s (the run's top rate)` : `${m.highestSustainedRate}/s`,
        u ? `${mid(u.total).toFixed(0)} (${mid(u.cpu[0] ?? [0]).toFixed(0)})` : '—',
        u ? `${u.peakRss[0] ?? '—'} / ${u.peakRss[4] ?? '—'}` : '—',
        `${rec.reduce((a, x) => a + x.lost, 0)} / ${rec.reduce((a, x) => a + x.wrongEffects, 0)}`,
        `${normalAfter(rec, 'coordinator-kill')} / ${normalAfter(rec, 'payment-kill')}`,
        rec.reduce((a, x) => a + x.rejectedInsteadOfApproved, 0),
        rec.reduce((a, x) => a + x.operatorRetries, 0),
      ];
    }),
  );
};

export const decisionSection: Build = (r) =>
  r.latency?.length && r.recovery?.length
    ? section('decision', '### The comparison in one table (this run)', decisionTable(r))
    : undefined;
