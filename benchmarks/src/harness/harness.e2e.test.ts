import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODES } from './modes.ts';

// The harness smoke exactly as CI and the README's main command run it: one low rate, every
// mode, the checker after each suite — against the real stack and services.
const root = fileURLToPath(new URL('../../..', import.meta.url));

const runBench = (args: string[]) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'benchmarks/src/harness/run.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });

describe('benchmark harness smoke', () => {
  it('runs every mode at one low rate, checks the databases, writes results, summary and charts', { timeout: 900_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const r = await runBench(['smoke', '--out', out, '--run-id', 'smoke']);
    expect(r.code, r.out.slice(-3000)).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'smoke', 'results.json'), 'utf8')) as {
      floors: { kafkaChain: { p50: number }; httpChain: { p50: number }; temporal: { server: string; activities: string; p50: number }[] };
      compensation: { mode: string; ok: boolean; compensations: number; expectedCompensations: number; step: { errors: number; notTerminal: number } }[];
      checks: { suite: string; violations: number }[];
      machine: { cores: number; postgres: string; temporalServer: string; commit: string };
    };
    expect(results.compensation.map((m) => m.mode)).toEqual(MODES.map((m) => m.name));
    expect(results.floors.kafkaChain.p50).toBeGreaterThan(0);
    expect(results.floors.temporal.map((t) => `${t.server}/${t.activities}`)).toEqual(['dev/regular', 'dev/local', 'pg/regular', 'pg/local']);
    for (const c of results.compensation) {
      expect(c.step).toMatchObject({ errors: 0, notTerminal: 0 });
      expect(c.ok).toBe(true);
      expect(c.compensations).toBeGreaterThanOrEqual(c.expectedCompensations);
      expect(c.expectedCompensations).toBeGreaterThan(0);
    }
    expect(results.checks).toEqual([{ suite: 'compensation', violations: 0, problems: [] }]);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.postgres).toMatch(/^15\./);
    expect(readdirSync(join(out, 'smoke')).sort()).toEqual(['outcome-mix.svg', 'results.json', 'summary.md']);
    expect(readFileSync(join(out, 'smoke', 'summary.md'), 'utf8')).toContain('| temporal-pg-http-local |');
  });

  it('refuses an unknown mode, naming the valid ones', async () => {
    const r = await runBench(['smoke', '--modes', 'custom-kafka,warp-drive']);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(`unknown mode warp-drive; valid: ${MODES.map((m) => m.name).join(', ')}`);
  });
});
