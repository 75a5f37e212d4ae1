/**
 * End-to-end saga latency of a coordinator (custom or temporal): POST /orders sent → order terminal observed
 * (its OrderApproved / OrderRejected event consumed). Open loop: order i is due at start + i/rate
 * and its latency counts from that due time (no coordinated omission). Every run gets its own
 * databases and topics; services and orchestrator run as child processes like in production.
 *
 *   npm run bench:saga -- --coordinator temporal --transport kafka http --fixed-rate 50 --fixed-count 1000 --steps 10,20,40
 *   TEMPORAL_ACTIVITIES=local npm run bench:saga -- --coordinator temporal --transport http
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { OrderEvent, Topics, topicSpecs } from '@saga/contracts';
import { ensureTopics } from '@saga/kafka';
import { coordinatorUrl, startServices, stopAll } from '@saga/launcher';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, uniqueName } from '@saga/testkit';
import { percentiles, round } from './stats.ts';

const opts = new Command('bench:saga')
  .addOption(new Option('--coordinator <c>', 'the saga coordinator').choices(['custom', 'temporal']).default('custom'))
  .option('--transport <t...>', 'kafka and/or http', ['kafka', 'http'])
  .option('--fixed-rate <n>', 'sagas per second of the fixed run', (v) => Number(v), 50)
  .option('--fixed-count <n>', 'sagas in the fixed run', (v) => Number(v), 1000)
  .option('--steps <list>', 'rates to step through for the highest sustainable rate', (v) => v.split(',').map(Number), [100, 200, 400, 800])
  .option('--step-seconds <n>', 'seconds per rate step', (v) => Number(v), 10)
  .option('--warmup <n>', 'sagas at 10/s before measuring (JIT, connections, group joins)', (v) => Number(v), 50)
  .option('--p99-limit <ms>', 'a rate is sustained while p99 stays under this', (v) => Number(v), 250)
  .option('--out <dir>', 'results folder (default benchmarks/results/<coordinator>-saga)')
  .parse()
  .opts<{ coordinator: 'custom' | 'temporal'; transport: string[]; warmup: number; fixedRate: number; fixedCount: number; steps: number[]; stepSeconds: number; p99Limit: number; out?: string }>();
const out = opts.out ?? `benchmarks/results/${opts.coordinator}-saga`;

const ADMIN = { authorization: 'Bearer workbench-admin', 'content-type': 'application/json' };

const runTransport = async (transport: string) => {
  const run = uniqueName('bench');
  const prefix = `${run}.`;
  const dbs = { ORDER_DATABASE: `${run}_orders`, INVENTORY_DATABASE: `${run}_inventory`, PAYMENT_DATABASE: `${run}_payments`, NOTIFICATION_DATABASE: `${run}_notifications`, ORCHESTRATOR_DATABASE: `${run}_orch` };
  const kafka = testKafka('bench-saga');
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topicSpecs(prefix));
  await admin.disconnect();
  const taskQueue = `${run}-order-saga`;
  const env = { ...process.env, ...dbs, ORCHESTRATOR_TEMPORAL_DATABASE: dbs.ORCHESTRATOR_DATABASE, TEMPORAL_TASK_QUEUE: taskQueue, KAFKA_TOPIC_PREFIX: prefix, TRANSPORT: transport, LOG_LEVEL: 'warn', ADMIN_TOKEN: 'workbench-admin', NOTIFICATION_SINK_FILE: `/var/tmp/saga-workbench/${run}-notifications.jsonl` };
  console.log(`\n[${opts.coordinator} over ${transport}] starting services and the coordinator (run ${run})`);
  const procs = await startServices(undefined, (l) => (l.includes('"level":50') || l.includes('"level":60') ? console.error(l) : undefined), opts.coordinator, env);
  const temporal = opts.coordinator === 'temporal' ? new Client({ connection: await Connection.connect({ address: servers.TEMPORAL_ADDRESS }), namespace: servers.TEMPORAL_NAMESPACE }) : undefined;
  /** Sagas still running (the order is terminal before its saga ends: commit, notify). */
  const busy = async () => {
    if (temporal) return (await temporal.workflow.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`)).count;
    const counts = await Promise.all(['RUNNING', 'COMPENSATING'].map((st) => fetch(`${coordinatorUrl('custom', env)}/sagas?status=${st}&pageSize=1`).then((r) => r.json() as Promise<{ total: number }>)));
    return counts.reduce((n, c) => n + c.total, 0);
  };
  const seen = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: `${run}-observer`, maxWaitTimeInMs: 20 });
  try {
    await fetch('http://127.0.0.1:3002/admin/stock', { method: 'POST', headers: ADMIN, body: JSON.stringify([{ sku: 'bench', quantity: 10_000_000 }]) });
    await fetch('http://127.0.0.1:3003/admin/customers', { method: 'POST', headers: ADMIN, body: JSON.stringify([{ id: 'bench', creditLimitCents: 1e15 }]) });
    await consumer.connect();
    await consumer.subscribe({ topic: prefix + Topics.orderEvents, fromBeginning: true });
    const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
    await consumer.run({
      partitionsConsumedConcurrently: 8,
      eachMessage: async ({ message }) => {
        const e = OrderEvent.parse(JSON.parse(message.value!.toString()));
        if (e.type !== 'OrderCreated') seen.set(e.payload.orderId, performance.now());
      },
    });
    await joined;

    const step = async (rate: number, count: number) => {
      const due: number[] = [];
      const ids: (string | undefined)[] = [];
      let errors = 0;
      const start = performance.now() + 50;
      const posts: Promise<void>[] = [];
      const progress = setInterval(() => {
        const done = ids.filter((id) => id && seen.has(id)).length;
        process.stdout.write(`\r  ${rate}/s: sent ${posts.length}/${count}, terminal ${done}, errors ${errors}   `);
      }, 1000);
      for (let i = 0; i < count; i++) {
        due[i] = start + (i * 1000) / rate;
        const wait = due[i]! - performance.now();
        if (wait > 1) await sleep(wait);
        posts.push(
          fetch('http://127.0.0.1:3001/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'bench', lines: [{ sku: 'bench', quantity: 1, unitPriceCents: 100 }] }) })
            .then(async (res) => {
              if (res.status !== 202) errors++;
              else ids[i] = ((await res.json()) as { orderId: string }).orderId;
            })
            .catch(() => void errors++),
        );
      }
      await Promise.all(posts);
      const drainUntil = performance.now() + 30_000;
      while (ids.some((id) => id && !seen.has(id)) && performance.now() < drainUntil) await sleep(50);
      clearInterval(progress);
      // Let every saga finish before the next step, so one step's tail (or retry storm) does not land in the next.
      const idleUntil = performance.now() + 120_000;
      while ((await busy()) > 0 && performance.now() < idleUntil) await sleep(200);
      const latencies = ids.flatMap((id, i) => (id && seen.has(id) ? [seen.get(id)! - due[i]!] : []));
      const lost = ids.filter((id) => id && !seen.has(id)).length;
      const p = percentiles(latencies);
      const elapsed = (Math.max(...latencies.map((l, i) => l + due[i]!)) - start) / 1000;
      const result = { rate, count, errors, notTerminal: lost, p50: round(p.p50!), p90: round(p.p90!), p99: round(p.p99!), max: round(p.max), throughput: round(latencies.length / elapsed) };
      process.stdout.write(`\r  ${rate}/s × ${count}: p50 ${result.p50} ms, p90 ${result.p90} ms, p99 ${result.p99} ms, max ${result.max} ms, errors ${errors + lost}\n`);
      return result;
    };

    if (opts.warmup > 0) {
      process.stdout.write('  warm-up: ');
      await step(10, opts.warmup);
    }
    // Rising rates first (stop at the first that breaks the p99 limit), then the fixed run.
    const steps = [];
    for (const rate of opts.steps) {
      const r = await step(rate, rate * opts.stepSeconds);
      steps.push(r);
      if (r.p99 > opts.p99Limit || r.errors + r.notTerminal > 0) break;
    }
    const fixed = await step(opts.fixedRate, opts.fixedCount);
    const sustained = [fixed, ...steps].filter((r) => r.p99 <= opts.p99Limit && r.errors + r.notTerminal === 0).map((r) => r.rate);
    return { coordinator: opts.coordinator, transport, activities: opts.coordinator === 'temporal' ? (process.env.TEMPORAL_ACTIVITIES ?? 'regular') : undefined, fixed, steps, highestSustainedRate: sustained.length ? Math.max(...sustained) : 0 };
  } finally {
    await consumer.disconnect();
    await temporal?.connection.close();
    await stopAll(procs);
    for (const db of Object.values(dbs)) await dropDatabase(servers.POSTGRES_URL, db);
  }
};

const results = [];
for (const t of opts.transport) results.push(await runTransport(t));
const at = new Date().toISOString();
const doc = {
  benchmark: `${opts.coordinator}-saga-latency`,
  at,
  settings: opts,
  machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, commit: execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim() },
  results,
};
mkdirSync(out, { recursive: true });
const file = `${out}/${at.replaceAll(':', '-').slice(0, 19)}.json`;
writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
console.log('\ncoordinator | transport | fixed rate | p50 | p99 | highest rate with p99 ≤ limit');
for (const r of results) console.log(`${r.coordinator} | ${r.transport} | ${r.fixed.rate}/s × ${r.fixed.count} | ${r.fixed.p50} ms | ${r.fixed.p99} ms | ${r.highestSustainedRate}/s`);
console.log(`written to ${file}`);
process.exit(0);
