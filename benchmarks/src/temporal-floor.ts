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
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { loadStackSettings } from '@saga/stack';
import { percentiles, round } from './stats.ts';
import { floorVariants, type FloorVariant } from './temporal/variants.ts';

const opts = new Command('bench:temporal-floor')
  .option('--variants <list>', `comma-separated, of: ${floorVariants.map((v) => v.name).join(', ')}`, (v) => v.split(','))
  .option('--address <host:port>', 'measure on this server instead of private dev servers (server-side variants are then skipped)')
  .option('--sequential <n>', 'workflows run one at a time, for latency', (v) => Number(v), 100)
  .option('--concurrent <n>', 'workflows run 32 at a time, for throughput', (v) => Number(v), 640)
  .option('--in-flight <n>', 'concurrency of the throughput run', (v) => Number(v), 32)
  .option('--out <dir>', 'results folder', 'benchmarks/results/temporal-floor')
  .parse()
  .opts<{ variants?: string[]; address?: string; sequential: number; concurrent: number; inFlight: number; out: string }>();

const unknown = (opts.variants ?? []).filter((n) => !floorVariants.some((v) => v.name === n));
if (unknown.length) {
  console.error(`unknown variant(s) ${unknown.join(', ')}; valid: ${floorVariants.map((v) => v.name).join(', ')}`);
  process.exit(2);
}
const chosen = floorVariants.filter((v) => (!opts.variants || opts.variants.includes(v.name)) && !(opts.address && v.server?.length));
const settings = loadStackSettings();
const bin = settings.TEMPORAL_CLI ?? join(settings.cacheDir, 'bin', 'temporal');
const { EventType } = proto.temporal.api.enums.v1;
type EventTypeValue = proto.temporal.api.enums.v1.EventType;
const ms = (t: proto.google.protobuf.ITimestamp | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** Scheduled → started (waiting for a poller) and started → completed (running), per task, from the history. */
const dispatchTimes = async (client: Client, workflowId: string) => {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const pairs: [EventTypeValue, EventTypeValue, EventTypeValue][] = [
    [EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED],
    [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED],
  ];
  const dispatch: number[] = [];
  const run: number[] = [];
  let tasks = 0;
  for (const [sched, start, done] of pairs) {
    const at = (type: EventTypeValue) => (events ?? []).filter((e) => e.eventType === type).map((e) => ms(e.eventTime));
    const [s, st, d] = [at(sched), at(start), at(done)];
    tasks += s.length;
    st.forEach((t, i) => dispatch.push(t - s[i]!));
    d.forEach((t, i) => run.push(t - st[i]!));
  }
  return { tasks, dispatch, run, wall: ms(events?.at(-1)?.eventTime) - ms(events?.[0]?.eventTime) };
};

const measure = async (v: FloorVariant, address: string, workflowBundle: { code: string }) => {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address });
  const taskQueue = `floor-${v.name}-${Date.now()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle,
    activities: { noop: async (step: number) => step },
    ...v.worker,
  } satisfies WorkerOptions);
  const running = worker.run();
  let n = 0;
  const one = async () => {
    const id = `${taskQueue}-${n++}`;
    const t0 = performance.now();
    await client.workflow.execute(v.workflow, { taskQueue, workflowId: id });
    return { id, ms: performance.now() - t0 };
  };
  try {
    for (let i = 0; i < 10; i++) await one(); // warm-up: JIT, sticky cache, connections
    const seq: { id: string; ms: number }[] = [];
    for (let i = 0; i < opts.sequential; i++) {
      seq.push(await one());
      if (i % 10 === 0) process.stdout.write(`\r  ${v.name}: one at a time ${i}/${opts.sequential}   `);
    }
    const lat = percentiles(seq.map((s) => s.ms));
    const hist = await Promise.all(seq.slice(-20).map((s) => dispatchTimes(client, s.id)));
    const dispatch = percentiles(hist.flatMap((h) => h.dispatch));
    const run = percentiles(hist.flatMap((h) => h.run));
    let done = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.inFlight }, async () => {
        while (done + opts.inFlight <= opts.concurrent + opts.inFlight - 1 && done < opts.concurrent) {
          done++;
          await one();
          if (done % 32 === 0) process.stdout.write(`\r  ${v.name}: ${opts.inFlight} in flight ${done}/${opts.concurrent}   `);
        }
      }),
    );
    const throughput = opts.concurrent / ((performance.now() - t0) / 1000);
    const r = {
      variant: v.name,
      what: v.what,
      server: v.server ?? [],
      worker: v.worker ?? {},
      workflow: v.workflow,
      p50: round(lat.p50!),
      p99: round(lat.p99!),
      throughput: round(throughput),
      tasksPerWorkflow: hist[0]?.tasks ?? 0,
      dispatchP50: round(dispatch.p50!),
      runP50: round(run.p50!),
    };
    process.stdout.write(`\r  ${v.name}: p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.throughput} workflows/s; ${r.tasksPerWorkflow} tasks, dispatch p50 ${r.dispatchP50} ms, run p50 ${r.runP50} ms\n`);
    return r;
  } finally {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
  }
};

Runtime.install({ logger: new DefaultLogger('WARN') });
console.log('bundling the floor workflows…');
const workflowBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./temporal/floor-workflows.ts', import.meta.url)), logger: undefined });
const results = [];
for (const v of chosen) {
  if (opts.address) {
    results.push(await measure(v, opts.address, workflowBundle));
    continue;
  }
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: bin }, ip: '127.0.0.1', extraArgs: (v.server ?? []).flatMap((kv) => ['--dynamic-config-value', kv]) },
  });
  try {
    results.push(await measure(v, env.address, workflowBundle));
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
for (const r of results) console.log(`${r.variant} | ${r.p50} ms | ${r.p99} ms | ${r.throughput} | ${r.dispatchP50} ms | ${r.runP50} ms`);
console.log(`written to ${file}`);
process.exit(0);
