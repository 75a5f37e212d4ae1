import { writeFileSync } from 'node:fs';
import type { StepResult } from './driver.ts';
import { floorOf, type FloorSpread, type Floors } from './floors.ts';
import type { Mode } from './modes.ts';
import type { Complexity } from './complexity.ts';
import type { RecoveryResult } from './recovery.ts';
import type { ChaosResult } from './chaos.ts';
import { formatTally, spread, type Spread } from '../stats.ts';
import { charts, latencyByRate, mid, svg } from './charts.ts';
import { sumParts, type CapacityResult } from './capacity.ts';
import type { ProfileResult } from './profile-suite.ts';
import type { Usage } from './usage.ts';

type Step = Omit<StepResult, 'samples'>;
export interface Results {
  runId: string;
  at: string;
  modes: Mode[];
  settings: Record<string, unknown>;
  machine: Record<string, unknown>;
  /** `repeats` and each step's `repetition` are absent from the runs made before latency was repeated. */
  latency?: { mode: string; repeats?: number; steps: (StepResult & { usage?: Usage; repetition?: number })[]; highestSustainedRate: number }[];
  capacity?: CapacityResult[];
  recovery?: RecoveryResult[];
  chaos?: ChaosResult[];
  profile?: ProfileResult[];
  complexity?: Complexity;
  fixed?: { mode: string; step: StepResult }[];
  compensation?: { mode: string; step: StepResult; byKind: { kind: string; count: number; p50: number; p99: number }[]; expectedCompensations: number; compensations: number; wrongOutcome: number; ok: boolean; happyP50?: Spread; slicesApart?: number; unsteady?: boolean }[];
  api?: { coordinator: string; connections: number; seconds: number; requestsPerSecond: number; p50: number; p99: number; max: number; non2xx: number; errors: number; timeouts: number; total: number };
  selfcheck?: { targetRate: number; throughput: number; p99: number; ok: boolean; verdict: string };
  floors?: Floors;
  checks: { suite: string; violations: number; problems: string[] }[];
  error?: string;
}

/** Latency histogram buckets (upper bounds, ms) for results.json: the raw distribution, compactly. */
const BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, Infinity];
export const histogram = (ms: number[]) =>
  BUCKETS.map((le, i) => ({ le: Number.isFinite(le) ? le : '+Inf', count: ms.filter((x) => x <= le && (i === 0 || x > BUCKETS[i - 1]!)).length }));

const strip = ({ samples, ...rest }: StepResult): Step & { histogram: ReturnType<typeof histogram> } => ({ ...rest, histogram: histogram(samples.map((s) => s.ms)) });

const ratio = (r: Results, mode: string, p50: number | undefined) => {
  const m = r.modes.find((x) => x.name === mode);
  if (!r.floors || !m || p50 === undefined) return '—';
  const floor = floorOf(r.floors, m);
  return `${(p50 / floor).toFixed(1)}× (floor ${Math.round(floor)} ms)`;
};

const PARTS = ['coordinator', 'services', 'postgres', 'kafka', 'temporal-server'] as const;
/** CPU seconds of each part (in PARTS order; undefined where the step has none) per 1,000 finished sagas of one latency step, and their total. */
const perThousand = (st: Step & { usage?: Usage }) => {
  const n = st.count - st.notTerminal - st.errors;
  if (!st.usage || !n) return undefined;
  const cpu = PARTS.map((k) => (st.usage![k] ? (st.usage![k].cpuSeconds / n) * 1000 : undefined));
  return { n, cpu, total: cpu.reduce<number>((a, c) => a + (c ?? 0), 0) };
};
/** `perThousand` over one rate's repetitions: each part's and the total's values (one per metered repetition), the highest RSS. */
const perThousandAt = (at: (Step & { usage?: Usage })[]) => {
  const us = at.flatMap((st) => {
    const u = perThousand(st);
    return u ? [u] : [];
  });
  if (!us.length) return undefined;
  return {
    n: us.reduce((a, u) => a + u.n, 0),
    cpu: PARTS.map((_, i) => (us.some((u) => u.cpu[i] !== undefined) ? us.map((u) => u.cpu[i] ?? 0) : undefined)),
    total: us.map((u) => u.total),
    peakRss: PARTS.map((k) => (at.some((st) => st.usage?.[k]) ? Math.max(...at.map((st) => st.usage?.[k]?.peakRssMiB ?? 0)) : undefined)),
    processes: Math.max(...at.map((st) => PARTS.reduce((a, k) => a + (st.usage?.[k]?.processes ?? 0), 0))),
  };
};
/** Repeated values in a cell: `median (min–max)`, or the one value as it always printed. */
/**
 * Repetitions as `median (min–max)`, or one value when they agree to the digits shown;
 * `digits` rounds each (0: whole numbers; unset: as measured).
 */
const sp = (s: Spread | null | undefined, digits?: number) => {
  if (!s) return '—';
  const f = (x: number) => (digits === undefined ? `${x}` : digits === 0 ? String(Math.round(x)) : x.toFixed(digits));
  return f(s.min) === f(s.max) ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
};
/** Repeated values in a cell, formatted as `sp` does; one value exactly as it always printed. */
const cellOf = (xs: number[], digits: number) => (xs.length === 1 ? sp({ median: xs[0]!, min: xs[0]!, max: xs[0]!, n: 1 }, digits) : sp(spread(xs), digits));
/** A recovery figure over the repetitions of one fault on one mode: `median (min–max)`, and how many had none. */
const recoveryCell = (xs: (number | null)[], none: string) => {
  const got = xs.filter((x): x is number => x !== null);
  if (!got.length) return none;
  const missing = xs.length - got.length;
  return `${cellOf(got, got.every(Number.isInteger) ? 0 : 1)}${missing ? `; ${missing} of ${xs.length}: ${none}` : ''}`;
};

/** Per mode: latency and capacity, resources, recovery and the correctness record side by side. */
const decisionTable = (r: Results) => {
  const rates = [...new Set((r.latency ?? []).flatMap((m) => m.steps.map((s) => s.rate)))].sort((a, b) => a - b);
  // Resources per saga at the highest rate every mode ran (at low rates idle work dominates).
  const at = [...rates].reverse().find((x) => (r.latency ?? []).every((m) => m.steps.some((s) => s.rate === x && perThousand(s)))) ?? rates[0];
  const top = rates.at(-1);
  const normalAfter = (rec: RecoveryResult[], fault: string) => {
    const xs = rec.filter((y) => y.fault === fault).map((y) => y.normalAfterSeconds);
    if (!xs.length) return '—';
    const got = xs.filter((x): x is number => x !== null);
    return got.length * 2 <= xs.length ? 'not in the load window' : `${Math.round(mid(got))}`;
  };
  return table(
    ['mode', `p50 / p99 ms at ${rates[0]}/s`, 'highest sustained', `CPU s per 1k sagas at ${at}/s, all parts (coordinator)`, `peak RSS MiB at ${at}/s: coordinator / Temporal server`, 'lost / wrong effects, all faults', 'latency normal again after a coordinator kill / payment kill (s)', 'happy orders rejected during faults', 'operator retries'],
    (r.latency ?? []).map((m) => {
      const byRate = latencyByRate(m.steps);
      const first = byRate[0];
      const u = perThousandAt(byRate.find((x) => x.rate === at)?.steps ?? []);
      const rec = (r.recovery ?? []).filter((x) => x.mode === m.mode);
      return [
        m.mode,
        first ? `${Math.round(mid(first.p50s))} / ${Math.round(mid(first.p99s))}` : '—',
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

const table = (head: string[], rows: (string | number)[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export interface Section { name: string; title: string; body: string }
/**
 * The run's tables by name (summary.md prints them all; `npm run adr:tables` copies named ones
 * into the ADRs).
 */
export const sections = (r: Results): Section[] => {
  const out: Section[] = [];
  const add = (name: string, title: string, ...body: string[]) => out.push({ name, title, body: body.filter(Boolean).join('\n\n') });
  if (r.floors) {
    const f = r.floors;
    const repeated = (f.repeats ?? 1) > 1;
    const cell = (x: { p50: number; p99: number; repetitions?: FloorSpread }, p: 'p50' | 'p99') =>
      repeated && x.repetitions ? `${sp(x.repetitions[p])}${p === 'p50' && x.repetitions.unsteady ? ` **${x.repetitions.apart}× apart**` : ''}` : x[p];
    const row = (name: string, x: { p50: number; p99: number; repetitions?: FloorSpread }) => [name, cell(x, 'p50'), cell(x, 'p99')];
    add('floors',
      `### Floors (same run, same servers; one at a time${repeated ? `; ${f.repeats} repetitions of ${f.kafkaChain.runs} each, interleaved: median (min–max)` : ''})`,
      table(['floor', 'p50 ms', 'p99 ms'], [
        row(`Kafka chain: ${f.kafkaChain.stages} (commit + produce → consume each)`, f.kafkaChain),
        row(`HTTP chain: ${f.httpChain.stages} (commit + call + commit per http)`, f.httpChain),
        ...f.temporal.map((t) => row(`Temporal ${t.server === 'pg' ? 'server on PostgreSQL' : 'dev server'}: workflow of 4 no-op ${t.activities} activities`, t)),
      ]),
    );
  }
  if (r.latency?.length) {
    const rates = [...new Set(r.latency.flatMap((m) => m.steps.map((s) => s.rate)))].sort((a, b) => a - b);
    const repeats = Math.max(...r.latency.map((m) => m.repeats ?? 1));
    const byMode = r.latency.map((m) => ({ m, byRate: latencyByRate(m.steps) }));
    const unsteady = byMode.flatMap(({ m, byRate }) => byRate.filter((x) => x.unsteady).map((x) => `${m.mode} at ${x.rate}/s (p50 ${x.apart}× apart)`));
    add('latency',
      `### Latency (POST /orders sent → order terminal observed), p50 / p99 ms per arrival rate${repeats > 1 ? `; ${repeats} repetitions of ${String(r.settings.stepSeconds)} s per rate, interleaved across modes: median (min–max)` : ''}`,
      table(['mode', ...rates.map((x) => `${x}/s`), 'highest sustained', 'p50 at the lowest rate ÷ floor'], byMode.map(({ m, byRate }) => [
        m.mode,
        ...rates.map((rate) => {
          const x = byRate.find((y) => y.rate === rate);
          return x ? `${cellOf(x.p50s, 0)} / ${cellOf(x.p99s, 0)}${x.errors ? ` (${x.errors} err)` : ''}${x.unsteady ? ` **${x.apart}× apart**` : ''}` : '—';
        }),
        `${m.highestSustainedRate}/s`,
        ratio(r, m.mode, byRate[0] && mid(byRate[0].p50s)),
      ])),
      unsteady.length ? `**Unsteady:** ${unsteady.join(', ')} — the repetitions disagree by more than 2×; read those figures as a range, or run again.` : '',
    );
  }
  if (r.fixed?.length) {
    add('fixed',
      `### Fixed run: ${r.fixed[0]!.step.count} happy-path sagas at ${r.fixed[0]!.step.rate}/s`,
      table(['mode', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'completed/s', 'not terminal', 'errors'], r.fixed.map((f) => [f.mode, Math.round(f.step.p50), Math.round(f.step.p90), Math.round(f.step.p99), Math.round(f.step.max), f.step.throughput, f.step.notTerminal, f.step.errors])),
    );
  }
  if (r.compensation?.length) {
    const sliced = r.compensation.some((c) => (c.happyP50?.n ?? 1) > 1);
    const unsteady = r.compensation.filter((c) => c.unsteady);
    add('compensation',
      `### Compensation (~20 % payment declines, ~10 % out of stock): p50 / p99 ms per outcome${sliced ? `, ${r.compensation[0]!.happyP50!.n} slices per mode interleaved, pooled` : ''}`,
      table(['mode', 'approved', 'declined (full rollback)', 'out of stock', 'compensations / expected', 'wrong outcome', ...(sliced ? ['approved p50 per slice: median (min–max)'] : []), 'approved p50 ÷ floor'], r.compensation.map((c) => {
        const k = (kind: string) => {
          const x = c.byKind.find((b) => b.kind === kind);
          return x && x.count ? `${Math.round(x.p50)} / ${Math.round(x.p99)} (n=${x.count})` : '—';
        };
        const slices = c.happyP50 ? `${Math.round(c.happyP50.median)} (${Math.round(c.happyP50.min)}–${Math.round(c.happyP50.max)})${c.unsteady ? ` **${c.slicesApart}× apart**` : ''}` : '—';
        return [c.mode, k('happy'), k('declined'), k('outOfStock'), `${c.compensations} / ${c.expectedCompensations}${c.ok ? '' : ' FAILED'}`, c.wrongOutcome, ...(sliced ? [slices] : []), ratio(r, c.mode, c.byKind.find((b) => b.kind === 'happy')?.p50)];
      })),
      unsteady.length ? `**Unsteady:** ${unsteady.map((c) => `${c.mode} (its slices' approved p50 ${c.slicesApart}× apart)`).join(', ')} — the machine was not quiet for it; read its figures as a range, or run again.` : '',
    );
  }
  if (r.api) {
    const a = r.api;
    add('api',
      `### API accept (autocannon, closed loop, ${a.connections} connections, ${a.seconds} s, POST /orders)`,
      table(['accepted/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors', 'drained by'], [[Math.round(a.requestsPerSecond), a.p50, a.p99, a.max, a.non2xx, a.errors, a.coordinator]]),
    );
  }
  const rec = r.recovery ?? [];
  const usageRows = (r.latency ?? []).flatMap((m) => latencyByRate(m.steps).flatMap((x) => {
    const u = perThousandAt(x.steps);
    return u ? [{ mode: m.mode, rate: x.rate, u }] : [];
  }));
  if (usageRows.length) {
    add('resources',
      `### Resources during the latency suite: CPU seconds per 1,000 sagas and peak RSS (MiB), per part${usageRows.some((x) => x.u.total.length > 1) ? ' (CPU: median (min–max) of the repetitions; RSS: the highest)' : ''}`,
      table(['mode', 'rate', 'sagas', 'coordinator CPU s / 1k', 'services', 'PostgreSQL', 'Kafka', 'Temporal server', 'total CPU s / 1k', 'peak RSS coordinator / services / PG / Kafka / Temporal', 'processes'], usageRows.map(({ mode, rate, u }) => [
        mode, `${rate}/s`, u.n, ...u.cpu.map((c) => (c === undefined ? '—' : cellOf(c, 1))), cellOf(u.total, 1),
        u.peakRss.map((x) => x ?? '—').join(' / '), u.processes,
      ])),
    );
  }
  if (rec.length) {
    const repeated = rec.some((x) => (x.repetition ?? 1) > 1);
    const cases = [...new Map(rec.map((x) => [`${x.fault} ${x.mode}`, { fault: x.fault, mode: x.mode }])).values()];
    add('recovery',
      `### Recovery: one fault at a time under a steady ${rec[0]!.rate} sagas/s${repeated ? '; every fault on every mode repeated, interleaved across the modes: counts summed, times as median (min–max); each slice below' : ''}`,
      repeated
        ? table(['fault', 'mode', 'repetitions', 'accepted / refused', 'lost', 'wrong effects', 'rejected instead of approved', 'operator retries', 'down s', 'all in-flight terminal after s', 'normal latency after fault s', 'p99 minute after ms', 'crashed'], cases.map(({ fault, mode }) => {
          const xs = rec.filter((x) => x.fault === fault && x.mode === mode);
          const sum = (f: (x: RecoveryResult) => number) => xs.reduce((a, x) => a + f(x), 0);
          return [
            fault, mode, xs.length, `${sum((x) => x.accepted)} / ${sum((x) => x.refused)}`, sum((x) => x.lost), sum((x) => x.wrongEffects), sum((x) => x.rejectedInsteadOfApproved), sum((x) => x.operatorRetries),
            recoveryCell(xs.map((x) => x.downSeconds), '—'), recoveryCell(xs.map((x) => x.recoverySeconds), 'not all terminal'), recoveryCell(xs.map((x) => x.normalAfterSeconds), 'not in the load window'), recoveryCell(xs.map((x) => x.p99AfterMs), '—'),
            xs.flatMap((x) => x.crashed).join(', ') || '—',
          ];
        }))
        : '',
      table([...(repeated ? ['rep'] : []), 'fault', 'mode', 'part (pid)', 'accepted / refused', 'lost', 'wrong effects', 'rejected instead of approved', 'operator retries', 'down s', 'all in-flight terminal after s', 'normal latency after fault s', 'p99 before → minute after ms', 'max after ms'], rec.map((x) => [
        ...(repeated ? [x.repetition ?? 1] : []), x.fault, x.mode, `${x.target} (${x.pid})`, `${x.accepted} / ${x.refused}`, x.lost, x.wrongEffects ? `${x.wrongEffects} (${x.wrongEffectKinds.join(', ')})` : 0, x.rejectedInsteadOfApproved, x.operatorRetries, x.downSeconds, x.recoverySeconds ?? '—', x.normalAfterSeconds ?? '—', `${x.p99BeforeMs ?? '—'} → ${x.p99AfterMs ?? '—'}`, x.maxAfterMs ?? '—',
      ]).map((row, i) => (rec[i]!.crashed.length ? [...row.slice(0, -1), `${String(row.at(-1))}; crashed: ${rec[i]!.crashed.join(', ')}`] : row))),
    );
  }
  if (r.chaos?.length) {
    const c = r.chaos;
    add('chaos',
      `### Chaos soak: faults overlapping under a steady ${c[0]!.rate} sagas/s (targets: 0 lost, 0 wrong effects, 0 parked, ≤ 1 % of happy orders rejected)`,
      table(['mode', 'sagas', 'refused', 'lost', 'wrong effects', 'parked', 'happy rejected', 'coordinator kills', 'restart s p50 / max', 'duplicates', 'poison', 'p50 / p99 during ms', 'p99 after ms', 'CPU busy during', 'crashed'], c.map((x) => [
        x.mode, x.accepted, x.refused, x.lost, x.wrongEffects ? `${x.wrongEffects} (${x.wrongEffectKinds.join(', ')})` : 0,
        `${x.parked}${x.parked && x.parkedReasons ? `: ${formatTally(x.parkedReasons)}` : ''}`,
        `${x.rejectedInsteadOfApproved} (${(x.rejectedShare * 100).toFixed(1)} %)${x.rejectedInsteadOfApproved && x.rejectedReasons ? `: ${formatTally(x.rejectedReasons)}` : ''}`, x.coordinatorKills, `${x.restartP50Seconds ?? '—'} / ${x.restartMaxSeconds ?? '—'}`, x.duplicated, x.poison,
        `${x.p50DuringMs ?? '—'} / ${x.p99DuringMs ?? '—'}`, x.p99AfterMs ?? '—', x.cpuBusyDuring == null ? '—' : `${Math.round(x.cpuBusyDuring * 100)} %`, x.crashed.join(', ') || '—',
      ])),
    );
  }
  if (r.capacity?.length) {
    const c = r.capacity;
    const parts = [...new Set(c.flatMap((x) => Object.keys(x.marginal)))];
    const pss = [...new Set(c.flatMap((x) => Object.keys(x.pssMiB)))];
    add('capacity',
      `### Capacity by search: highest rate with p99 ≤ ${(r.settings.capacity as { p99LimitMs?: number } | undefined)?.p99LimitMs ?? 250} ms, no errors and ≥ 95 % of the offered rate completed; CPU per additional saga (the least-squares slope of CPU per second against the rate over every sustained probe: idle and fixed costs drop out; with few sustained rates close together it is noisy, even negative); median (min–max) of the repetitions`,
      table(['mode', 'repetitions', 'highest sustained /s', 'rests on sagas', 'marginal CPU ms per saga', ...parts.map((k) => `${k} ms`), 'PSS MiB at capacity', 'spread > 2×'], c.map((x) => [
        x.mode, x.capacity.n, sp(x.capacity), x.sagas, sp(x.marginalTotal), ...parts.map((k) => sp(x.marginal[k])),
        pss.length ? `${sumParts(x.pssMiB)} (${pss.map((k) => `${k} ${x.pssMiB[k] ?? 0}`).join(', ')})` : '—', x.noisy ? 'yes' : 'no',
      ])),
      table(['mode', 'run', 'probes (rate: p99 ms, completed/s, ✓ sustained)'], c.flatMap((x) => x.runs.map((run) => [
        x.mode, run.repetition, run.probes.map((p) => `${p.rate}: ${Math.round(p.p99)} ms, ${p.throughput}/s ${p.sustained ? '✓' : '✗'}`).join('; '),
      ]))),
    );
  }
  if (r.profile?.length) {
    const p = r.profile;
    const parts = [...new Set(p.flatMap((x) => Object.keys(x.cpuMsPerSaga)))];
    const sum = (x: ProfileResult) => Math.round(Object.values(x.cpuMsPerSaga).reduce((a, b) => a + b, 0) * 100) / 100;
    add('profile',
      `### Profile: CPU per saga per part at ${p[0]!.rate} sagas/s (the /proc meter: every process and thread), and where each process of ours spends it (V8 profiles, start-up and warm-up left out)`,
      table(['mode', 'sagas', ...parts.map((x) => `${x} ms`), 'total ms per saga'], p.map((x) => [x.mode, x.sagas, ...parts.map((k) => x.cpuMsPerSaga[k] ?? '—'), sum(x)])),
      p.some((x) => x.postgresMsPerSaga?.length)
        ? table(['mode', "PostgreSQL's ms per saga by process (backends by database)"], p.map((x) => [x.mode, (x.postgresMsPerSaga ?? []).map((q) => `${q.role} ${q.ms}`).join(', ') || '—']))
        : '',
      table(['mode', 'process', 'CPU ms per saga', 'JavaScript time by place (share of its samples)', 'top functions (share)'], p.flatMap((x) => x.processes.filter((q) => q.top.length > 0).map((q) => [
        x.mode, q.name, q.cpuMsPerSaga ?? '(in its process)',
        q.byPlace.slice(0, 6).map((b) => `${b.place} ${Math.round(b.share)} %`).join(', '),
        q.top.slice(0, 5).map((f) => `${f.fn} (${f.place}) ${Math.round(f.share)} %`).join('; '),
      ]))),
    );
  }
  if (r.complexity) {
    const c = r.complexity;
    add('complexity',
      "### Complexity of each coordinator's own code (tests and shared service code excluded)",
      table(['coordinator', 'TypeScript lines', 'SQL lines', 'files', 'functions', 'cyclomatic max / mean / over 10', 'most complex', 'npm dependencies (installed with them)', 'shared packages used (their lines)', 'concepts to learn: ours / platform'], c.coordinators.map((x) => [
        x.coordinator, x.lines, x.sqlLines, x.files.length, x.functions, `${x.complexity.max} / ${x.complexity.mean} / ${x.complexity.over10}`,
        x.complexity.top.slice(0, 2).map((f) => `${f.name} ${f.file.split('/').pop()}:${f.line} (${f.complexity})`).join('; '),
        `${x.dependencies.direct.join(', ') || '—'} (${x.dependencies.installed})`, x.dependencies.sharedPackages.map((p) => `${p.name.replace('@saga/', '')} ${p.lines}`).join(', '), `${x.concepts.filter((k) => k.kind === 'ours').length} / ${x.concepts.filter((k) => k.kind === 'platform').length}`,
      ])),
      table(['mode', 'processes of ours', 'servers', 'inspect and repair a saga'], c.operations.map((o) => [o.mode, o.processes, o.servers.join(', '), o.inspection])),
    );
  }
  if (r.latency?.length && rec.length) add('decision', '### The comparison in one table (this run)', decisionTable(r));
  if (r.selfcheck) add('selfcheck', '### Harness self-check', r.selfcheck.verdict);
  add('checks', '### Correctness checker', table(['after', 'violations', 'what'], r.checks.map((c) => [c.suite, c.violations, c.problems.join('; ') || 'every invariant holds'])));
  return out;
};

/** The tables printed at the end of a run and written into summary.md. */
export const tables = (r: Results) => sections(r).map((x) => `${x.title}\n\n${x.body}`).join('\n\n');

export const writeReport = async (dir: string, r: Results) => {
  const json = {
    ...r,
    latency: r.latency?.map((m) => ({ ...m, steps: m.steps.map(strip) })),
    fixed: r.fixed?.map((f) => ({ ...f, step: strip(f.step) })),
    compensation: r.compensation?.map((c) => ({ ...c, step: strip(c.step) })),
  };
  writeFileSync(`${dir}/results.json`, `${JSON.stringify(json, null, 2)}\n`);
  const images: string[] = [];
  for (const [name, spec] of Object.entries(charts(r))) {
    writeFileSync(`${dir}/${name}.svg`, await svg(spec));
    images.push(`![${name}](${name}.svg)`);
  }
  const m = r.machine;
  const md = [
    `# Benchmark run ${r.runId}`,
    `${r.at} · commit ${String(m.commit)} · ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB · Node ${String(m.node)}, PostgreSQL ${String(m.postgres)}, Kafka ${String(m.kafka)}, Temporal Server ${String(m.temporalServer)} (CLI ${String(m.temporalCli)} dev server)`,
    `Settings: \`${JSON.stringify(r.settings)}\``,
    r.error ? `**The run failed:** ${r.error}` : '',
    Array.isArray(r.settings.skippedModes) ? `**Not run:** ${r.settings.skippedModes.join(', ')} — their server (temporal-pg) was not running; \`--modes\` runs them once it is.` : '',
    tables(r),
    ...images,
  ].filter(Boolean).join('\n\n');
  writeFileSync(`${dir}/summary.md`, `${md}\n`);
  console.log(`\n${tables(r)}`);
};
