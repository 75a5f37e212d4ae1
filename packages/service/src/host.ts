import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import type { Producer } from 'kafkajs';
import { databaseUrl } from '@saga/config';
import { createLogger, listen } from '@saga/http';
import { createKafka, createProducer } from '@saga/kafka';
import { outboxMigrations, startRelay } from '@saga/outbox';
import { openOwnership, type Ownership } from '@saga/ownership';
import { createPool, ensureDatabase, migrate, type MigrationSet, type Pool } from '@saga/postgres';

export interface HostOptions {
  /** The process's name: its logger's, its database pool's application name, its Kafka client id. */
  name: string;
  logLevel: string;
  /** This instance's id when several run (its pool's application name, its Kafka client id, on every log line). */
  instance?: string;
  postgresUrl: string;
  database: string;
  /** Its own migrations; the outbox's come first when `outbox` is set. */
  migrations: MigrationSet[];
  poolMax: number;
  brokers: string[];
  /** The transactional outbox's and inbox's tables (messages written with the state; messages handled once). */
  outbox?: boolean;
  /** The relay that publishes what the outbox holds. */
  relay?: boolean;
  /** The saga ownership registry (ADR 0011), claimed as `owner`. */
  registry?: { database: string; owner: string; max?: number };
}

/** What a process of the workbench runs on: logger, migrated database and pool, Kafka producer, relay, registry. */
export interface Host {
  log: ReturnType<typeof createLogger>;
  pool: Pool;
  /** The process's database URL. */
  url: string;
  kafka: ReturnType<typeof createKafka>;
  producer: Producer;
  ownership: Ownership | undefined;
  /** Something to stop with the process (a consumer, a worker, a timer); stopped in the order registered, after the HTTP server and before the relay. */
  onStop(stop: () => unknown): void;
  /** Serves `app`; the server is the first thing `stop` closes. */
  serve(app: Express, port: number, host: string): Promise<{ url: string; port: number }>;
  /** The ordered stop: HTTP, the registered parts, the relay, the producer, the registry, the pool. */
  stop(): Promise<void>;
}

/**
 * The one process host of the services and the coordinators (issue 15): the start every process
 * shares — logger, database created and migrated, pool, Kafka producer, outbox relay, ownership
 * registry, HTTP — and its stop in one order, so that nothing is closed under a part still using it.
 */
export const openHost = async (o: HostOptions): Promise<Host> => {
  const base = createLogger(o.name, o.logLevel);
  const log = o.instance ? base.child({ instance: o.instance }) : base;
  const id = o.instance ?? o.name;
  const url = databaseUrl(o.postgresUrl, o.database);
  await ensureDatabase(o.postgresUrl, o.database);
  await migrate(url, [...(o.outbox ? [outboxMigrations] : []), ...o.migrations]);
  const pool = createPool(url, {
    max: o.poolMax,
    applicationName: id,
    onIdleError: (err) => log.warn({ err }, 'idle database connection failed'),
  });
  const ownership = o.registry
    ? await openOwnership({
        postgresUrl: o.postgresUrl,
        database: o.registry.database,
        owner: o.registry.owner,
        max: o.registry.max,
        onIdleError: (err) => log.warn({ err }, 'idle registry connection failed'),
      })
    : undefined;
  const kafka = createKafka({ brokers: o.brokers, clientId: id });
  const producer = createProducer(kafka);
  await producer.connect();
  const relay = o.relay ? startRelay({ databaseUrl: url, producer, pool, log }) : undefined;
  const parts: (() => unknown)[] = [];
  let http: { close(): Promise<void> } | undefined;
  return {
    log,
    pool,
    url,
    kafka,
    producer,
    ownership,
    onStop: (stop) => void parts.push(stop),
    async serve(app, port, host) {
      const listening = await listen(app, port, host);
      http = listening;
      return listening;
    },
    async stop() {
      await http?.close();
      for (const stop of parts) await stop();
      await relay?.stop();
      await producer.disconnect();
      await ownership?.close();
      await pool.end();
    },
  };
};

/** The settings every coordinator process shares (its config's common part). */
export interface CoordinatorSettings {
  LOG_LEVEL: string;
  POSTGRES_URL: string;
  KAFKA_BROKERS: string[];
  SAGA_REGISTRY_DATABASE: string;
  REPLY_CONCURRENCY: number;
}

/**
 * A coordinator's host: its own database (migrations from `migrationsUrl`, a folder next to its
 * sources), a pool of `REPLY_CONCURRENCY + extraConnections`, and the registry claimed as `owner`.
 */
export const openCoordinatorHost = (
  cfg: CoordinatorSettings,
  o: { name: string; owner: string; database: string; migrationsUrl: URL; extraConnections: number } & Pick<
    HostOptions,
    'instance' | 'outbox' | 'relay'
  >,
) =>
  openHost({
    name: o.name,
    ...(o.instance ? { instance: o.instance } : {}),
    logLevel: cfg.LOG_LEVEL,
    postgresUrl: cfg.POSTGRES_URL,
    database: o.database,
    migrations: [{ dir: fileURLToPath(o.migrationsUrl), table: 'pgmigrations' }],
    poolMax: cfg.REPLY_CONCURRENCY + o.extraConnections,
    brokers: cfg.KAFKA_BROKERS,
    ...(o.outbox ? { outbox: true } : {}),
    ...(o.relay ? { relay: true } : {}),
    registry: { database: cfg.SAGA_REGISTRY_DATABASE, owner: o.owner, max: cfg.REPLY_CONCURRENCY },
  });

/** A process's entry point: start it, and stop it in order on SIGINT/SIGTERM. */
export const runProcess = async (start: () => Promise<{ stop(): Promise<void> }>) => {
  const running = await start();
  const stop = () => void running.stop().then(() => process.exit(0));
  process.once('SIGINT', stop).once('SIGTERM', stop);
};
