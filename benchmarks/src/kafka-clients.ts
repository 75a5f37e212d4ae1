/**
 * Two Node Kafka clients on the hop every saga message takes: kafkajs as we run it (patched,
 * idempotent producer, ADR 0015) against @platformatic/kafka, each in a process of its own that
 * produces one message per send (as a relay woken per commit does) and consumes them in a group
 * (as a service does), at a fixed rate, interleaved over repetitions. Per message: the client
 * process's CPU, the broker's CPU, and the hop's latency; and each client's CPU when idle.
 *
 *   npm run bench:kafka-clients -- --rate 200 --seconds 20 --repeats 3
 */
import { execSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { loadStackSettings, stackServers } from '@saga/stack';
import { createTestTopic, servers, testKafka } from '@saga/testkit';
import { repetitions, type Spread } from './stats.ts';
import { runClient, CLIENTS, type ClientName, type ClientResult } from './kafka-clients/child.ts';

const program = new Command('bench:kafka-clients')
  .option('--rate <n>', 'messages per second', Number, 200)
  .option('--seconds <n>', 'measured seconds of load per trial', Number, 20)
  .option('--idle-seconds <n>', 'measured seconds with nothing to do, per trial', Number, 10)
  .option('--repeats <n>', 'trials per client, interleaved', Number, 3)
  .addOption(new Option('--clients <list>', 'clients to compare').default([...CLIENTS]).argParser((v) => v.split(',')))
  .option('--out <dir>', 'results folder', 'benchmarks/results/kafka-clients')
  .option('--run-id <id>', 'results subfolder (default: the start time)')
  .option('--child <client>', '(internal) run one trial of this client and print its result')
  .option('--topic <topic>', '(internal) the trial topic')
  .parse();
const opts = program.opts<{
  rate: number;
  seconds: number;
  idleSeconds: number;
  repeats: number;
  clients: string[];
  out: string;
  runId?: string;
  child?: string;
  topic?: string;
}>();

const unknown = opts.clients.filter((c) => !(CLIENTS as readonly string[]).includes(c));
if (unknown.length) program.error(`--clients: unknown ${unknown.join(', ')}; expected some of ${CLIENTS.join(', ')}`);
for (const [flag, v] of [
  ['--rate', opts.rate],
  ['--seconds', opts.seconds],
  ['--idle-seconds', opts.idleSeconds],
  ['--repeats', opts.repeats],
] as const) {
  if (!Number.isFinite(v) || v <= 0) program.error(`${flag}: expected a positive number, got ${v}`);
}

if (opts.child) {
  // A trial: this process is measured, so it does nothing else.
  const result = await runClient(opts.child as ClientName, {
    brokers: servers.KAFKA_BROKERS,
    topic: opts.topic!,
    rate: opts.rate,
    seconds: opts.seconds,
    idleSeconds: opts.idleSeconds,
    brokerPid: brokerPid(),
  });
  // Written to a pipe, stdout is asynchronous: exit once the line is out.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  await new Promise(() => undefined);
}

function brokerPid(): number | undefined {
  return stackServers(loadStackSettings())
    .find((s) => s.name === 'kafka')
    ?.pid();
}

const self = fileURLToPath(import.meta.url);
const trial = async (client: string, topic: string): Promise<ClientResult> => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      self,
      '--child',
      client,
      '--topic',
      topic,
      '--rate',
      String(opts.rate),
      '--seconds',
      String(opts.seconds),
      '--idle-seconds',
      String(opts.idleSeconds),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  // The result is the last line; a client's own log lines may come before it.
  const line =
    out
      .trim()
      .split('\n')
      .findLast((l) => l.includes('"clientCpuMsPer1000"')) ?? '';
  if (code !== 0 || !line) throw new Error(`${client} trial failed (exit ${code}): ${out.slice(-500)}`);
  return JSON.parse(line) as ClientResult;
};

if (brokerPid() === undefined) program.error('Kafka is not running here: start the stack first (npm run stack -- up)');
const kafka = testKafka('bench-kafka-clients');
const admin = kafka.admin();
await admin.connect();
const runId = opts.runId ?? new Date().toISOString().replaceAll(':', '-').slice(0, 19);
console.log(
  `kafka clients: ${opts.clients.join(' vs ')}, ${opts.repeats} trials each, interleaved; ${opts.rate}/s for ${opts.seconds} s, then ${opts.idleSeconds} s idle`,
);
const trials: ClientResult[] = [];
const topics: string[] = [];
try {
  for (let r = 0; r < opts.repeats; r++) {
    // Alternate who goes first, so a drift of the machine does not favour one client.
    const order = r % 2 === 0 ? opts.clients : [...opts.clients].reverse();
    for (const client of order) {
      const topic = await createTestTopic(kafka, `kclients-${client}`, 8);
      topics.push(topic, `${topic}.dlq`);
      const t = await trial(client, topic);
      trials.push(t);
      console.log(
        `  trial ${r + 1} ${client.padEnd(11)} ${t.received}/${t.sent} messages, client ${t.clientCpuMsPer1000} ms CPU per 1,000, broker ${t.brokerCpuMsPer1000}, hop p50 ${t.hopMs.p50} ms p99 ${t.hopMs.p99} ms; idle ${t.idleCpuMsPerSecond} ms CPU/s`,
      );
      await sleep(1_000);
    }
  }
} finally {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

const across = (xs: number[]) => repetitions(xs).spread;
const summary = opts.clients.map((client) => {
  const ts = trials.filter((t) => t.client === client);
  return {
    client,
    version: ts[0]!.version,
    trials: ts.length,
    messagesPerTrial: ts[0]!.sent,
    clientCpuMsPer1000: across(ts.map((t) => t.clientCpuMsPer1000)),
    brokerCpuMsPer1000: across(ts.map((t) => t.brokerCpuMsPer1000)),
    hopP50Ms: across(ts.map((t) => t.hopMs.p50)),
    hopP99Ms: across(ts.map((t) => t.hopMs.p99)),
    idleCpuMsPerSecond: across(ts.map((t) => t.idleCpuMsPerSecond)),
    lost: ts.reduce((n, t) => n + t.sent - t.received, 0),
  };
});
const fmt = (s: Spread) => `${s.median} (${s.min}–${s.max})`;
const table = [
  '| client | trials × messages | client CPU ms per 1,000 | broker CPU ms per 1,000 | hop p50 ms | hop p99 ms | idle CPU ms/s | lost |',
  '|---|---|---|---|---|---|---|---|',
  ...summary.map(
    (s) =>
      `| ${s.client} ${s.version} | ${s.trials} × ${s.messagesPerTrial} | ${fmt(s.clientCpuMsPer1000)} | ${fmt(s.brokerCpuMsPer1000)} | ${fmt(s.hopP50Ms)} | ${fmt(s.hopP99Ms)} | ${fmt(s.idleCpuMsPerSecond)} | ${s.lost} |`,
  ),
].join('\n');
console.log(`\n${table}\n(median (min–max) of the trials)`);

const dir = join(opts.out, runId);
mkdirSync(dir, { recursive: true });
const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
writeFileSync(
  join(dir, 'results.json'),
  `${JSON.stringify({ benchmark: 'kafka-clients', at: new Date().toISOString(), settings: opts, machine: { cores: cpus().length, node: process.version, commit }, summary, trials }, null, 2)}\n`,
);
writeFileSync(
  join(dir, 'summary.md'),
  `# Kafka clients, run ${runId}\n\n\`npm run bench:kafka-clients -- --rate ${opts.rate} --seconds ${opts.seconds} --idle-seconds ${opts.idleSeconds} --repeats ${opts.repeats}\`\n\n${table}\n\nMedian (min–max) of the trials, interleaved. Client CPU: the whole client process (producer and consumer, all threads); broker CPU: the Kafka server's, in the same window.\n`,
);
console.log(`written to ${dir}`);
process.exit(0);
