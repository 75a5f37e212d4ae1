import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODES } from './modes.ts';
import { COORDINATOR_NAMES } from '@saga/launcher';
import { isTerminal } from '@saga/contracts';
import type { SagaArchive } from './archive.ts';

// The harness smoke exactly as CI and the README's main command run it: one low rate, every
// mode, the checker after each suite — against the real stack and services.
const root = fileURLToPath(new URL('../../..', import.meta.url));

const runBench = (args: string[]) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'benchmarks/src/harness/run.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });

describe('benchmark harness smoke', () => {
  it('refuses a bad argument with its error and a hint, not the whole usage', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['nonsense'], /unknown suite nonsense/],
      [['smoke', '--spread', '0'], /--spread: expected a whole number/],
      [['smoke', '--harness-nice', '3'], /--harness-nice: expected a whole number from -20 to 0/],
      [['smoke', '--no-such-option'], /unknown option '--no-such-option'/],
    ];
    for (const [args, error] of cases) {
      const r = await runBench(args);
      expect(r.code, r.out).toBe(1);
      expect(r.out, r.out).toMatch(error);
      expect(r.out).toContain('npm run bench -- --help');
      expect(r.out).not.toContain('Options:');
    }
  });

  it(
    'runs every mode at one low rate, checks the databases, writes results, summary and charts',
    { timeout: 900_000 },
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'bench-'));
      const r = await runBench(['smoke', '--out', out, '--run-id', 'smoke']);
      expect(r.code, r.out.slice(-3000)).toBe(0);
      const results = JSON.parse(readFileSync(join(out, 'smoke', 'results.json'), 'utf8')) as {
        floors: {
          kafkaChain: { p50: number };
          httpChain: { p50: number };
          temporal: { server: string; activities: string; p50: number }[];
        };
        compensation: {
          mode: string;
          ok: boolean;
          compensations: number;
          expectedCompensations: number;
          step: { errors: number; notTerminal: number; count: number };
          happyP50: { n: number; min: number; max: number };
        }[];
        checks: { suite: string; violations: number }[];
        machine: { cores: number; postgres: string; temporalServer: string; commit: string };
      };
      expect(results.compensation.map((m) => m.mode)).toEqual(MODES.map((m) => m.name));
      expect(results.floors.kafkaChain.p50).toBeGreaterThan(0);
      expect(results.floors.temporal.map((t) => `${t.server}/${t.activities}`)).toEqual([
        'dev/regular',
        'dev/local',
        'pg/regular',
        'pg/local',
      ]);
      for (const c of results.compensation) {
        expect(c.step).toMatchObject({ errors: 0, notTerminal: 0 });
        expect(c.ok).toBe(true);
        expect(c.compensations).toBeGreaterThanOrEqual(c.expectedCompensations);
        expect(c.expectedCompensations).toBeGreaterThan(0);
        // Three interleaved slices of 10 sagas per mode, pooled; each slice's approved p50 kept.
        expect(c.step.count).toBe(30);
        expect(c.happyP50.n).toBe(3);
        expect(c.happyP50.min).toBeLessThanOrEqual(c.happyP50.max);
      }
      expect(results.checks).toEqual([{ suite: 'compensation', violations: 0, problems: [] }]);
      expect(results.machine.cores).toBeGreaterThan(0);
      expect(results.machine.postgres).toMatch(/^15\./);
      expect(readdirSync(join(out, 'smoke')).sort()).toEqual([
        'index.html',
        'outcome-mix.svg',
        'results.json',
        'sagas',
        'summary.md',
      ]);
      // Every mode's sagas kept for the Saga Explorer, as its operator API showed them: all finished,
      // each with its timeline, the declined ones with the stock release their compensation did.
      for (const m of MODES) {
        const kept = JSON.parse(readFileSync(join(out, 'smoke', 'sagas', `${m.name}.json`), 'utf8')) as SagaArchive;
        expect(kept.sagas.length, m.name).toBeGreaterThanOrEqual(30);
        expect(Object.keys(kept.timelines).sort(), m.name).toEqual(kept.sagas.map((s) => s.id).sort());
        expect(
          kept.sagas.every((s) => isTerminal(s.status)),
          m.name,
        ).toBe(true);
        const undone = Object.values(kept.timelines).filter((t) =>
          t.steps.some((x) => x.step === 'releaseStock' && x.state === 'succeeded'),
        );
        expect(undone.length, m.name).toBeGreaterThan(0);
        expect(
          undone.every((t) => t.status === 'REJECTED'),
          m.name,
        ).toBe(true);
      }
      expect(readFileSync(join(out, 'smoke', 'index.html'), 'utf8')).toContain(
        'Correctness checker: every invariant holds after compensation.',
      );
      const summary = readFileSync(join(out, 'smoke', 'summary.md'), 'utf8');
      expect(summary).toContain('| temporal-pg-http-local |');
      expect(summary).toContain('approved p50 per slice: median (min–max)');
    },
  );

  it(
    'recovery smoke: kill -9 of each coordinator under load, restarted after 5 s — nothing lost, nothing doubled; complexity counted; every process profiled',
    { timeout: 900_000 },
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'bench-'));
      const r = await runBench([
        'recovery',
        'profile',
        'complexity',
        '--faults',
        'coordinator-kill',
        '--modes',
        'custom-kafka,temporal-kafka',
        '--recovery-pre-seconds',
        '3',
        '--recovery-post-seconds',
        '5',
        '--recovery-repeats',
        '1',
        '--profile-rate',
        '10',
        '--profile-count',
        '40',
        '--warmup',
        '3',
        '--out',
        out,
        '--run-id',
        'recovery',
      ]);
      expect(r.code, r.out.slice(-3000)).toBe(0);
      const results = JSON.parse(readFileSync(join(out, 'recovery', 'results.json'), 'utf8')) as {
        recovery: {
          fault: string;
          mode: string;
          target: string;
          pid: number;
          accepted: number;
          lost: number;
          wrongEffects: number;
          downSeconds: number;
          recoverySeconds: number | null;
          timeline: { terminal: number }[];
        }[];
        complexity: { coordinators: { coordinator: string; lines: number; functions: number; concepts: unknown[] }[] };
        profile: {
          mode: string;
          sagas: number;
          cpuMsPerSaga: Record<string, number>;
          processes: { name: string; cpuMsPerSaga: number | null; top: { fn: string; share: number }[] }[];
        }[];
        checks: { suite: string; violations: number }[];
      };
      // Each mode once; the order is the run's seeded random one, so compared as a set.
      expect(results.recovery.map((x) => `${x.fault} ${x.mode}`).sort()).toEqual([
        'coordinator-kill custom-kafka',
        'coordinator-kill temporal-kafka',
      ]);
      for (const x of results.recovery) {
        expect(x).toMatchObject({ target: 'coordinator', lost: 0, wrongEffects: 0 });
        expect(x.pid).toBeGreaterThan(0);
        expect(x.accepted).toBeGreaterThan(40);
        expect(x.downSeconds).toBeGreaterThanOrEqual(5);
        expect(x.recoverySeconds).not.toBeNull();
        // Every accepted saga shows up on the timeline as terminal.
        expect(x.timeline.reduce((n, t) => n + t.terminal, 0)).toBe(x.accepted);
      }
      expect(results.checks).toEqual([
        { suite: 'recovery', violations: 0, problems: [] },
        { suite: 'profile', violations: 0, problems: [] },
      ]);
      // Each mode's profile: the meter saw every part busy, and each process of ours wrote a V8 profile with samples in the window.
      expect(results.profile.map((p) => p.mode)).toEqual(['custom-kafka', 'temporal-kafka']);
      for (const p of results.profile) {
        expect(p.sagas).toBe(40);
        for (const part of ['coordinator', 'services', 'postgres', 'kafka'])
          expect(p.cpuMsPerSaga[part], `${p.mode} ${part}`).toBeGreaterThan(0);
        const profiled = p.processes
          .filter((x) => (x.cpuMsPerSaga ?? 0) > 0 && x.top.length > 0 && x.top[0]!.share > 0)
          .map((x) => x.name);
        expect(profiled, p.mode).toEqual(
          expect.arrayContaining(['coordinator #1', 'order', 'inventory', 'payment', 'notification']),
        );
      }
      expect(results.complexity.coordinators.map((c) => c.coordinator)).toEqual([...COORDINATOR_NAMES]);
      for (const c of results.complexity.coordinators)
        expect(c.lines * c.functions * c.concepts.length).toBeGreaterThan(0);
      expect(readdirSync(join(out, 'recovery')).sort()).toEqual([
        'index.html',
        'recovery-timeline.svg',
        'results.json',
        'summary.md',
      ]);
    },
  );

  it(
    'chaos smoke (Kafka restart left to the full soak): faults overlapping under load over Kafka — nothing lost, nothing doubled, exactly the poison dead-lettered',
    { timeout: 900_000 },
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'bench-'));
      const r = await runBench([
        'chaos',
        '--modes',
        'custom-kafka,temporal-kafka,choreography-kafka',
        '--chaos-rate',
        '5',
        '--chaos-seconds',
        '30',
        '--chaos-post-seconds',
        '5',
        '--no-chaos-kafka-restart',
        '--warmup',
        '3',
        '--out',
        out,
        '--run-id',
        'chaos',
      ]);
      expect(r.code, r.out.slice(-3000)).toBe(0);
      const results = JSON.parse(readFileSync(join(out, 'chaos', 'results.json'), 'utf8')) as {
        chaos: {
          mode: string;
          accepted: number;
          lost: number;
          wrongEffects: number;
          coordinatorKills: number;
          duplicated: number;
          poison: number;
          events: { what: string }[];
        }[];
        checks: { suite: string; violations: number }[];
      };
      expect(results.chaos.map((x) => x.mode)).toEqual(['custom-kafka', 'temporal-kafka', 'choreography-kafka']);
      for (const x of results.chaos) {
        expect(x).toMatchObject({ lost: 0, wrongEffects: 0 });
        expect(x.accepted).toBeGreaterThan(100);
        expect(x.coordinatorKills).toBeGreaterThanOrEqual(1);
        expect(x.duplicated).toBeGreaterThan(0);
        // Two bursts of three poison messages into inventory.commands, payment.commands and saga.replies
        // (choreography: inventory.events, which its reactions and view consume; nobody reads the replies).
        expect(x.poison).toBe(18);
        const what = x.events.map((e) => e.what).join('\n');
        expect(what).toMatch(/kill -9 inventory/);
      }
      // The checker found exactly the poison in the dead-letter topics, nothing else wrong.
      expect(results.checks).toEqual([{ suite: 'chaos', violations: 0, problems: [] }]);
    },
  );

  it('refuses an unknown mode, naming the valid ones', async () => {
    const r = await runBench(['smoke', '--modes', 'custom-kafka,warp-drive']);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(`unknown mode warp-drive; valid: ${MODES.map((m) => m.name).join(', ')}`);
  });
});
