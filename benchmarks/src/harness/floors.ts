import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createProducer } from '@saga/kafka';
import { createTestTopic, scratchDatabase, servers, testKafka } from '@saga/testkit';
import { percentiles, repetitions, round, type Spread } from '../stats.ts';
import { dbosFloor, type DbosFloor } from '../dbos/floor.ts';
import { restateFloor, type RestateFloor } from '../restate/floor.ts';
import { floorBundle, measureFloor } from '../temporal/floor.ts';
import { floorVariants } from '../temporal/variants.ts';

/**
 * The floors a saga cannot beat on this machine, measured in the same run as the modes:
 * - a bare chain of as many hops as a happy saga makes before its order is terminal, each hop a
 *   Postgres commit then a kafkajs produce → consume (Kafka: 7 hops — OrderCreated, 2 × command +
 *   reply, ApproveOrder, OrderApproved) or, for HTTP, a commit + POST + commit per command
 *   (OrderCreated and OrderApproved still travel over Kafka);
 * - a bare Temporal workflow of four no-op activities, regular and local, on the same server;
 * - a bare DBOS workflow of four no-op steps, when a DBOS mode runs.
 * One chain at a time: latency, not throughput.
 */
export type Stage = 'kafka' | 'http';
export const KAFKA_CHAIN: Stage[] = ['kafka', 'kafka', 'kafka', 'kafka', 'kafka', 'kafka', 'kafka'];
export const HTTP_CHAIN: Stage[] = ['kafka', 'http', 'http', 'http', 'kafka'];

export const chainFloor = async (stages: Stage[], runs: number, progress: (l: string) => void) => {
  const kafka = testKafka('bench-floor');
  const db = await scratchDatabase('bench_floor');
  await db.pool.query('CREATE TABLE hops (id bigserial PRIMARY KEY, chain int NOT NULL, hop int NOT NULL)');
  const topic = await createTestTopic(kafka, 'bench-floor', 1);
  const producer = createProducer(kafka);
  await producer.connect();
  const commit = (chain: number, hop: number) =>
    db.pool.query('INSERT INTO hops (chain, hop) VALUES ($1, $2)', [chain, hop]);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { chain, hop } = JSON.parse(Buffer.concat(chunks).toString()) as { chain: number; hop: number };
      void commit(chain, hop).then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const waiting = new Map<number, () => void>();
  const consumer = kafka.consumer({ groupId: `${topic}-g`, maxWaitTimeInMs: 20, minBytes: 1 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({ eachMessage: async ({ message }) => waiting.get(Number(message.key!.toString()))?.() });
  await joined;

  /** One chain: every stage commits first, then moves the message on (Kafka) or calls (HTTP). */
  const once = async (chain: number) => {
    for (const [hop, stage] of stages.entries()) {
      await commit(chain, hop);
      if (stage === 'kafka') {
        const arrived = new Promise<void>((r) => waiting.set(chain, r));
        await producer.send({ topic, messages: [{ key: String(chain), value: String(hop) }] });
        await arrived;
      } else {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chain, hop }),
        });
        await res.text();
      }
    }
  };
  try {
    const ms: number[] = [];
    for (let i = 0; i < runs + 10; i++) {
      const t0 = performance.now();
      await once(i);
      if (i >= 10) ms.push(performance.now() - t0); // the first 10 warm up
      if (i % 10 === 0) progress(`floor ${stages.join('→')}: ${i}/${runs + 10}`);
      await sleep(5);
    }
    const p = percentiles(ms);
    return { stages: stages.join(' → '), runs, p50: round(p.p50!), p99: round(p.p99!) };
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    server.close();
    await db.drop();
  }
};

/** The SDK's worker logs INFO lines per worker state change: keep the run's output to warnings. */
const quietWorkers = () => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed (a second floor run in this process)
  }
};

export interface TemporalFloor {
  server: 'dev' | 'pg';
  activities: 'regular' | 'local';
  p50: number;
  p99: number;
  dispatchP50: number;
  runP50: number;
}

/** Temporal's floor on one server: 4 no-op activities, regular or local. */
const temporalFloor = async (
  server: 'dev' | 'pg',
  activities: 'regular' | 'local',
  bundle: { code: string },
  runs: number,
  progress: (l: string) => void,
): Promise<TemporalFloor> => {
  const v = floorVariants.find((x) => x.name === (activities === 'local' ? 'local' : 'defaults'))!;
  const address = server === 'pg' ? servers.TEMPORAL_PG_ADDRESS : servers.TEMPORAL_ADDRESS;
  const r = await measureFloor(v, address, bundle, { sequential: runs, concurrent: 0, inFlight: 1 }, (l) =>
    progress(`floor temporal ${server}: ${l}`),
  );
  return { server, activities, p50: r.p50, p99: r.p99, dispatchP50: r.dispatchP50, runP50: r.runP50 };
};

/** A floor's p50 and p99 over its repetitions: median (min–max), and whether they lie more than 2× apart. */
export interface FloorSpread {
  p50: Spread;
  p99: Spread;
  apart: number;
  unsteady: boolean;
}
const spreadOf = (xs: { p50: number; p99: number }[]): FloorSpread => {
  const p50 = repetitions(xs.map((x) => x.p50));
  return { p50: p50.spread, p99: repetitions(xs.map((x) => x.p99)).spread, apart: p50.apart, unsteady: p50.unsteady };
};
/** The repetitions' median stands for the floor (p50, p99); `repetitions` keeps their spread. */
const merged = <T extends { p50: number; p99: number }>(xs: T[]): T & { repetitions: FloorSpread } => {
  const s = spreadOf(xs);
  return { ...xs[0]!, p50: s.p50.median, p99: s.p99.median, repetitions: s };
};

/**
 * Every floor `repeats` times, interleaved (Kafka chain, HTTP chain, each Temporal floor; then again),
 * `runs` chains or workflows each time, so the machine's drift falls on all of them alike.
 */
export const measureFloors = async (
  temporalServers: ('dev' | 'pg')[],
  runs: number,
  progress: (l: string) => void,
  repeats = 1,
  engines: { dbos?: boolean; restate?: boolean } = {},
): Promise<Floors> => {
  if (temporalServers.length) quietWorkers();
  const bundle = temporalServers.length ? await floorBundle() : { code: '' };
  const kafka: ChainFloor[] = [];
  const http: ChainFloor[] = [];
  const temporal = new Map<string, TemporalFloor[]>();
  const dbosRuns: DbosFloor[] = [];
  const restateRuns: RestateFloor[] = [];
  for (let rep = 1; rep <= repeats; rep++) {
    const say = (l: string) => progress(repeats > 1 ? `${l} (${rep}/${repeats})` : l);
    kafka.push(await chainFloor(KAFKA_CHAIN, runs, say));
    http.push(await chainFloor(HTTP_CHAIN, runs, say));
    for (const server of temporalServers) {
      for (const activities of ['regular', 'local'] as const) {
        const key = `${server} ${activities}`;
        temporal.set(key, [...(temporal.get(key) ?? []), await temporalFloor(server, activities, bundle, runs, say)]);
      }
    }
    if (engines.dbos) dbosRuns.push(await dbosFloor(runs, say));
    if (engines.restate) restateRuns.push(await restateFloor(runs, say));
  }
  return {
    repeats,
    kafkaChain: merged(kafka),
    httpChain: merged(http),
    temporal: [...temporal.values()].map(merged),
    ...(dbosRuns.length ? { dbos: merged(dbosRuns) } : {}),
    ...(restateRuns.length ? { restate: merged(restateRuns) } : {}),
  };
};
type ChainFloor = Awaited<ReturnType<typeof chainFloor>>;
/** `repeats` and `repetitions` are absent from the runs made before floors were repeated. */
export interface Floors {
  repeats?: number;
  kafkaChain: ChainFloor & { repetitions?: FloorSpread };
  httpChain: ChainFloor & { repetitions?: FloorSpread };
  temporal: (TemporalFloor & { repetitions?: FloorSpread })[];
  /** A bare DBOS workflow of four no-op steps; absent from runs without a DBOS mode. */
  dbos?: DbosFloor & { repetitions?: FloorSpread };
  /** A bare Restate workflow of four no-op `ctx.run` steps; absent from runs without a Restate mode. */
  restate?: RestateFloor & { repetitions?: FloorSpread };
}

/**
 * Hops a choreographed saga makes before its order is terminal (ADR 0018), each a commit then a
 * produce → consume: OrderCreated, StockReserved, PaymentAuthorized, OrderApproved. Its floor is
 * that share of the Kafka chain's.
 */
export const CHOREOGRAPHY_HOPS = 4;

/** Which floor a mode is measured against (its p50). */
export const floorOf = (
  f: Floors,
  mode: { coordinator: string; transport: string; activities?: string; server?: string },
) =>
  mode.coordinator === 'choreography'
    ? round((f.kafkaChain.p50 * CHOREOGRAPHY_HOPS) / KAFKA_CHAIN.length)
    : mode.coordinator === 'dbos' && f.dbos
      ? f.dbos.p50
      : mode.coordinator === 'restate'
        ? (f.restate?.p50 ?? NaN)
        : // Runs before the DBOS floor: it makes the same hops as the custom orchestrator.
          mode.coordinator === 'custom' || mode.coordinator === 'dbos'
          ? mode.transport === 'kafka'
            ? f.kafkaChain.p50
            : f.httpChain.p50
          : (f.temporal.find(
              (t) => t.server === (mode.server ?? 'dev') && t.activities === (mode.activities ?? 'regular'),
            )?.p50 ?? NaN);
