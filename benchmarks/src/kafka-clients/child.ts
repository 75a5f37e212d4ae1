import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Consumer,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { createKafka, createProducer } from '@saga/kafka';
import { percentiles, round } from '../stats.ts';
import { cpuMsOf } from '../harness/usage.ts';

export const CLIENTS = ['kafkajs', 'platformatic'] as const;
export type ClientName = (typeof CLIENTS)[number];

export interface ClientResult {
  client: ClientName;
  version: string;
  sent: number;
  received: number;
  /** The client process's CPU (producer and consumer, every thread) per 1,000 messages. */
  clientCpuMsPer1000: number;
  /** The broker's CPU in the same window, per 1,000 messages. */
  brokerCpuMsPer1000: number;
  hopMs: { p50: number; p99: number; max: number };
  /** The client process's CPU with both connected and nothing to do. */
  idleCpuMsPerSecond: number;
}

/** One client in both roles a saga process plays: a relay's producer and a service's group consumer. */
interface Adapter {
  version: string;
  start(onMessage: (value: string) => void): Promise<void>;
  send(key: string, value: string, messageId: string): Promise<void>;
  stop(): Promise<void>;
}

interface TrialOptions {
  brokers: string[];
  topic: string;
  rate: number;
  seconds: number;
  idleSeconds: number;
  brokerPid: number | undefined;
}

const versionOf = (pkg: string) =>
  (
    JSON.parse(readFileSync(new URL(`../../../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

// The same consumer settings for both, as our consumers run (packages/kafka/src/consumer.ts):
// long-poll 500 ms, answer at the first byte, 6 s session, 500 ms heartbeats, offsets committed every 500 ms.
const GROUP = { maxWaitTime: 500, minBytes: 1, sessionTimeout: 6_000, heartbeatInterval: 500, commitEveryMs: 500 };

const kafkajs = (o: TrialOptions): Adapter => {
  const kafka = createKafka({ brokers: o.brokers, clientId: 'bench-kafkajs' });
  const producer = createProducer(kafka);
  const consumer = kafka.consumer({
    groupId: `${o.topic}-g`,
    maxWaitTimeInMs: GROUP.maxWaitTime,
    minBytes: GROUP.minBytes,
    sessionTimeout: GROUP.sessionTimeout,
    heartbeatInterval: GROUP.heartbeatInterval,
  });
  return {
    version: versionOf('kafkajs'),
    async start(onMessage) {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: o.topic, fromBeginning: true });
      const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
      await consumer.run({
        autoCommitInterval: GROUP.commitEveryMs,
        partitionsConsumedConcurrently: 8,
        eachMessage: async ({ message }) => onMessage(message.value!.toString()),
      });
      await joined;
    },
    send: async (key, value, messageId) =>
      void (await producer.send({ topic: o.topic, messages: [{ key, value, headers: { 'message-id': messageId } }] })),
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
};

const platformatic = (o: TrialOptions): Adapter => {
  const base = { clientId: 'bench-platformatic', bootstrapBrokers: o.brokers };
  const producer = new Producer({ ...base, idempotent: true, acks: ProduceAcks.ALL, serializers: stringSerializers });
  const consumer = new Consumer({
    ...base,
    groupId: `${o.topic}-g`,
    deserializers: stringDeserializers,
    maxWaitTime: GROUP.maxWaitTime,
    minBytes: GROUP.minBytes,
    sessionTimeout: GROUP.sessionTimeout,
    heartbeatInterval: GROUP.heartbeatInterval,
  });
  return {
    version: versionOf('@platformatic/kafka'),
    async start(onMessage) {
      const stream = await consumer.consume({
        topics: [o.topic],
        mode: MessagesStreamModes.EARLIEST,
        autocommit: GROUP.commitEveryMs,
      });
      stream.on('data', (m: { value: string }) => onMessage(m.value));
    },
    send: async (key, value, messageId) =>
      void (await producer.send({ messages: [{ topic: o.topic, key, value, headers: { 'message-id': messageId } }] })),
    async stop() {
      // Forced: its stream is still open. (Typed as void with `force`, so through its callback.)
      await new Promise<void>((resolve, reject) => consumer.close(true, (err) => (err ? reject(err) : resolve())));
      await producer.close();
    },
  };
};

const brokerMs = (pid: number | undefined): number => (pid === undefined ? NaN : (cpuMsOf([pid]).get(pid) ?? NaN));
const ownMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** A saga reply's size and shape. */
const payload = (i: number) =>
  JSON.stringify({
    messageId: `reply:cmd-${i}`,
    sagaId: `saga-${i % 64}`,
    occurredAt: new Date().toISOString(),
    type: 'Reply',
    payload: {
      commandId: `cmd-${i}`,
      commandType: 'ReserveStock',
      outcome: 'SUCCESS',
      data: { reservationId: `res-${i}` },
    },
    seq: i,
  });

/**
 * One trial: warm up, then `rate` messages a second for `seconds`, each sent when due (one send
 * in flight, as a relay's), until every one is consumed; then `idleSeconds` of nothing.
 */
export const runClient = async (client: ClientName, o: TrialOptions): Promise<ClientResult> => {
  const adapter = (client === 'kafkajs' ? kafkajs : platformatic)(o);
  const due = new Map<number, number>();
  const hop: number[] = [];
  let consumed = 0;
  await adapter.start((value) => {
    const seq = (JSON.parse(value) as { seq: number }).seq;
    const t = due.get(seq);
    if (t === undefined) return; // a redelivery
    due.delete(seq);
    consumed++;
    if (seq >= 0) hop.push(performance.now() - t);
  });
  const load = async (from: number, count: number) => {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const at = start + (i * 1000) / o.rate;
      const wait = at - performance.now();
      if (wait > 1) await sleep(wait);
      due.set(from + i, at);
      await adapter.send(`saga-${(from + i) % 64}`, payload(from + i), `m-${from + i}`);
    }
    const deadline = performance.now() + 60_000;
    while (due.size > 0 && performance.now() < deadline) await sleep(20);
  };
  // Warm-up (negative sequence numbers: not counted): connections, metadata, the group.
  await load(-1_000_000, Math.min(200, o.rate * 2));
  consumed = 0;
  const c0 = ownMs();
  const b0 = brokerMs(o.brokerPid);
  const n = Math.round(o.rate * o.seconds);
  await load(0, n);
  const c1 = ownMs();
  const b1 = brokerMs(o.brokerPid);
  await sleep(o.idleSeconds * 1000);
  const c2 = ownMs();
  await adapter.stop();
  const p = percentiles(hop);
  return {
    client,
    version: adapter.version,
    sent: n,
    received: consumed,
    clientCpuMsPer1000: round(((c1 - c0) / n) * 1000),
    brokerCpuMsPer1000: round(((b1 - b0) / n) * 1000),
    hopMs: { p50: round(p.p50!), p99: round(p.p99!), max: round(p.max) },
    idleCpuMsPerSecond: round((c2 - c1) / o.idleSeconds),
  };
};
