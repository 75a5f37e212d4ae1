/**
 * Temporal's own floor on this machine, and what each tuning knob does to it: a workflow of four
 * no-op activities (regular or local), on a private dev server per server setting (the stack's
 * local binary, in memory) or on a given server (`--address`). Per variant: one-at-a-time latency
 * p50/p99, throughput with 32 in flight, and — from the event history — how long a task waits
 * between "scheduled" and "started" (dispatch) versus how long it runs.
 *
 *   npm run bench:temporal-floor                     # every variant
 *   npm run bench:temporal-floor -- --variants defaults,tuned --address 127.0.0.1:7233
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { liveProgress, loadStackSettings } from '@saga/stack';
import { floorBundle, measureFloor } from './temporal/floor.ts';
import { floorVariants, type FloorVariant } from './temporal/variants.ts';

const opts = new Command('bench:temporal-floor')
  .option('--variants <list>', `comma-separated, of: ${floorVariants.map((v) => v.name).join(', ')}`, (v) =>
    v.split(','),
  )
  .option(
    '--address <host:port>',
    'measure on this server instead of private dev servers (server-side variants are then skipped)',
  )
  .option('--sequential <n>', 'workflows run one at a time, for latency', (v) => Number(v), 100)
  .option('--concurrent <n>', 'workflows run 32 at a time, for throughput', (v) => Number(v), 640)
  .option('--in-flight <n>', 'concurrency of the throughput run', (v) => Number(v), 32)
  .option('--out <dir>', 'results folder', 'benchmarks/results/temporal-floor')
  .parse()
  .opts<{
    variants?: string[];
    address?: string;
    sequential: number;
    concurrent: number;
    inFlight: number;
    out: string;
  }>();

const unknown = (opts.variants ?? []).filter((n) => !floorVariants.some((v) => v.name === n));
if (unknown.length) {
  console.error(`unknown variant(s) ${unknown.join(', ')}; valid: ${floorVariants.map((v) => v.name).join(', ')}`);
  process.exit(2);
}
const chosen = floorVariants.filter(
  (v) => (!opts.variants || opts.variants.includes(v.name)) && !(opts.address && v.server?.length),
);
const settings = loadStackSettings();
const bin = settings.temporalCli;
Runtime.install({ logger: new DefaultLogger('WARN') });
console.log('bundling the floor workflows…');
const workflowBundle = await floorBundle();
const counts = { sequential: opts.sequential, concurrent: opts.concurrent, inFlight: opts.inFlight };
const { progress: show, say } = liveProgress(process.stdout, 5_000);
const measure = async (v: FloorVariant, address: string) => {
  const r = await measureFloor(v, address, workflowBundle, counts, show);
  say(
    `  ${v.name}: p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.throughput} workflows/s; ${r.tasksPerWorkflow} tasks, dispatch p50 ${r.dispatchP50} ms, run p50 ${r.runP50} ms`,
  );
  return r;
};
const results = [];
for (const v of chosen) {
  if (opts.address) {
    results.push(await measure(v, opts.address));
    continue;
  }
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: bin },
      ip: '127.0.0.1',
      extraArgs: (v.server ?? []).flatMap((kv) => ['--dynamic-config-value', kv]),
    },
  });
  try {
    results.push(await measure(v, env.address));
  } finally {
    await env.teardown();
  }
}
const at = new Date().toISOString();
const doc = {
  benchmark: 'temporal-floor',
  at,
  server: opts.address ?? 'private dev server per variant (Temporal CLI v1.5.1, in memory)',
  settings: opts,
  machine: { commit: execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim(), node: process.version },
  results,
};
mkdirSync(opts.out, { recursive: true });
const file = `${opts.out}/${at.replaceAll(':', '-').slice(0, 19)}.json`;
writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
console.log('\nvariant | p50 | p99 | workflows/s (32 in flight) | dispatch p50 | run p50');
for (const r of results)
  console.log(`${r.variant} | ${r.p50} ms | ${r.p99} ms | ${r.throughput} | ${r.dispatchP50} ms | ${r.runP50} ms`);
console.log(`written to ${file}`);
process.exit(0);
