/**
 * One outbox hop, measured: append + commit in Postgres → relay (woken by NOTIFY) → Kafka →
 * consumer. Open loop: message i is due at start + i/rate and its latency counts from that due
 * time, so a stalled pipeline shows as latency instead of a slower send rate.
 *
 *   npm run bench:outbox -- --rate 100 --count 2000
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { appendToOutbox, outboxMigrations, startRelay } from '@saga/outbox';
import { withTransaction } from '@saga/postgres';
import { liveProgress } from '@saga/stack';
import { createProducer, createTestTopic, scratchDatabase, testKafka, waitFor } from '@saga/testkit';
import { percentiles, round } from './stats.ts';

const opts = new Command('bench:outbox')
  .option('--rate <n>', 'messages per second', (v) => Number(v), 100)
  .option('--count <n>', 'messages to send', (v) => Number(v), 2000)
  .option('--keys <n>', 'distinct keys (saga ids)', (v) => Number(v), 64)
  .option('--fetch-wait <ms>', 'consumer maxWaitTimeInMs', (v) => Number(v), 20)
  .option('--out <dir>', 'results folder', 'benchmarks/results/outbox-hop')
  .parse()
  .opts<{ rate: number; count: number; keys: number; fetchWait: number; out: string }>();

const kafka = testKafka('bench-outbox');
const db = await scratchDatabase('bench_outbox', [outboxMigrations]);
const topic = await createTestTopic(kafka, 'bench-outbox', 8);
const producer = createProducer(kafka);
await producer.connect();
const relay = startRelay({ databaseUrl: db.url, producer, pool: db.pool });

const due: number[] = [];
const committed: number[] = [];
const latency: number[] = [];
const consumer = kafka.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: opts.fetchWait, minBytes: 1 });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
await consumer.run({
  partitionsConsumedConcurrently: 8,
  eachMessage: async ({ message }) => {
    const i = Number(message.value!.toString());
    latency[i] ??= performance.now() - due[i]!;
  },
});
await joined;
await waitFor('the relay lock', () => relay.active);

console.log(`outbox hop: ${opts.count} messages at ${opts.rate}/s over ${opts.keys} keys`);
const start = performance.now() + 100;
const sends: Promise<void>[] = [];
const live = liveProgress(process.stdout, 5_000);
const progress = setInterval(() => {
  const got = latency.filter((x) => x !== undefined).length;
  live.progress(
    `sent ${sends.length}/${opts.count}, received ${got}, elapsed ${((performance.now() - start) / 1000).toFixed(0)} s`,
  );
}, 1000);
for (let i = 0; i < opts.count; i++) {
  due[i] = start + (i * 1000) / opts.rate;
  const wait = due[i]! - performance.now();
  if (wait > 1) await sleep(wait);
  sends.push(
    withTransaction(db.pool, (tx) =>
      appendToOutbox(tx, [{ topic, key: `saga-${i % opts.keys}`, messageId: String(i), payload: i }]),
    ).then(() => {
      committed[i] = performance.now() - due[i]!;
    }),
  );
}
await Promise.all(sends);
await waitFor('every message', () => latency.filter((x) => x !== undefined).length === opts.count, 60_000);
clearInterval(progress);
live.say('');

const hop = percentiles(latency);
const commit = percentiles(committed);
const version = (cmd: string) => execSync(cmd, { encoding: 'utf8' }).trim();
const result = {
  benchmark: 'outbox-hop',
  at: new Date().toISOString(),
  settings: opts,
  machine: {
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    commit: version('git rev-parse --short HEAD'),
  },
  appendCommitMs: Object.fromEntries(Object.entries(commit).map(([k, v]) => [k, round(v)])),
  hopMs: Object.fromEntries(Object.entries(hop).map(([k, v]) => [k, round(v)])),
};
console.log(`  append+commit  p50 ${round(commit.p50!)} ms  p99 ${round(commit.p99!)} ms`);
console.log(
  `  hop (due → consumed)  p50 ${round(hop.p50!)} ms  p90 ${round(hop.p90!)} ms  p99 ${round(hop.p99!)} ms  max ${round(hop.max)} ms`,
);
mkdirSync(opts.out, { recursive: true });
const file = `${opts.out}/${result.at.replaceAll(':', '-').slice(0, 19)}-r${opts.rate}.json`;
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`  written to ${file}`);

await consumer.disconnect();
await relay.stop();
await producer.disconnect();
await db.drop();
process.exit(0);
