import { writeFileSync } from 'node:fs';
import type { StepResult } from './driver.ts';
import type { Floors } from './floors.ts';
import type { Mode } from './modes.ts';
import type { Complexity } from './complexity.ts';
import type { RecoveryResult } from './recovery.ts';
import type { ChaosResult } from './chaos.ts';
import type { Spread } from '../stats.ts';
import { charts, svg } from './charts.ts';
import { writeReportPage } from '../report-page.ts';
import type { CapacityResult } from './capacity.ts';
import type { ProfileResult } from './profile-suite.ts';
import type { Usage } from './usage.ts';
import type { PooledRate } from './pooled.ts';
import { section, strip, table, type Section } from './report-cells.ts';
import { capacitySection } from './report-capacity.ts';
import { decisionSection, chaosSection, complexitySection, recoverySection } from './report-faults.ts';
import {
  apiSection,
  compensationSection,
  fixedSection,
  floorsSection,
  ioSection,
  latencySection,
  profileSection,
  resourcesSection,
} from './report-speed.ts';

export { histogram } from './report-cells.ts';

export interface Results {
  runId: string;
  at: string;
  modes: Mode[];
  settings: Record<string, unknown>;
  machine: Record<string, unknown>;
  /** `repeats` and each step's `repetition` are absent from the runs made before latency was repeated. */
  latency?: {
    mode: string;
    repeats?: number;
    steps: (StepResult & { usage?: Usage; repetition?: number })[];
    highestSustainedRate: number;
    /** Per rate, the repetitions pooled (absent from runs before issue 42). */
    pooled?: PooledRate[];
  }[];
  capacity?: CapacityResult[];
  recovery?: RecoveryResult[];
  chaos?: ChaosResult[];
  profile?: ProfileResult[];
  complexity?: Complexity;
  fixed?: { mode: string; step: StepResult }[];
  compensation?: {
    mode: string;
    step: StepResult;
    /** `max` is absent from runs before issue 42. */
    byKind: { kind: string; count: number; p50: number; p99: number; max?: number }[];
    expectedCompensations: number;
    compensations: number;
    wrongOutcome: number;
    ok: boolean;
    happyP50?: Spread;
    slicesApart?: number;
    unsteady?: boolean;
  }[];
  api?: {
    coordinator: string;
    connections: number;
    seconds: number;
    requestsPerSecond: number;
    p50: number;
    p99: number;
    max: number;
    non2xx: number;
    errors: number;
    timeouts: number;
    total: number;
  };
  selfcheck?: { targetRate: number; throughput: number; p99: number; ok: boolean; verdict: string };
  floors?: Floors;
  /** `transient`: what a poll of the checker saw that had gone by its last (absent when nothing). */
  checks: { suite: string; violations: number; problems: string[]; transient?: string[] }[];
  error?: string;
}

export type { Section } from './report-cells.ts';

/**
 * The run's tables by name, in this order (summary.md prints them all; `npm run adr:tables` copies
 * named ones into the ADRs).
 */
export const sections = (r: Results): Section[] =>
  [
    floorsSection,
    latencySection,
    ioSection,
    fixedSection,
    compensationSection,
    apiSection,
    resourcesSection,
    recoverySection,
    chaosSection,
    capacitySection,
    profileSection,
    complexitySection,
    decisionSection,
  ]
    .flatMap((build) => build(r) ?? [])
    .concat(r.selfcheck ? [section('selfcheck', '### Harness self-check', r.selfcheck.verdict)] : [], [
      section(
        'checks',
        '### Correctness checker',
        table(
          ['after', 'violations', 'what', 'seen while settling, then gone'],
          r.checks.map((c) => [
            c.suite,
            c.violations,
            c.problems.join('; ') || 'every invariant holds',
            c.transient?.join('; ') ?? '—',
          ]),
        ),
      ),
    ]);

/** The tables printed at the end of a run and written into summary.md. */
export const tables = (r: Results) =>
  sections(r)
    .map((x) => `${x.title}\n\n${x.body}`)
    .join('\n\n');

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
    `${r.at} · commit ${String(m.commit).slice(0, 7)}${m.dirty === true ? ` with uncommitted changes (diff sha256 ${String(m.diffSha256).slice(0, 12)}; not for an ADR)` : ''} · ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB · Node ${String(m.node)}, PostgreSQL ${String(m.postgres)}, Kafka ${String(m.kafka)}, Temporal Server ${String(m.temporalServer)} (CLI ${String(m.temporalCli)} dev server)`,
    `Settings: \`${JSON.stringify(r.settings)}\``,
    r.error ? `**The run failed:** ${r.error}` : '',
    Array.isArray(r.settings.skippedModes)
      ? `**Not run:** ${r.settings.skippedModes.join(', ')} — their server (temporal-pg) was not running; \`--modes\` runs them once it is.`
      : '',
    tables(r),
    ...images,
  ]
    .filter(Boolean)
    .join('\n\n');
  writeFileSync(`${dir}/summary.md`, `${md}\n`);
  writeReportPage(dir);
  console.log(`\n${tables(r)}`);
};
