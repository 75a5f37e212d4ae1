import { Registry, collectDefaultMetrics } from 'prom-client';
import { CHOREOGRAPHY, Command, OrderEvent, Topics, type CommandOf, type CommandType } from '@saga/contracts';
import {
  loadConfig,
  registryDatabaseSetting,
  sagaBudgetSettings,
  sagaTiming,
  serverSettings,
  setting,
  type SagaTiming,
} from '@saga/config';
import { createApp } from '@saga/http';
import { startConsumer } from '@saga/kafka';
import { withTransaction } from '@saga/postgres';
import { createExecutor } from './executor.ts';
import { openHost } from './host.ts';
import { createFaults, isTransient } from './faults.ts';
import { NotYet } from './not-yet.ts';
import { startReactions } from './reactions.ts';
import { adminRoutes, commandRoutes } from './routes.ts';
import type { ServiceContext, ServiceSpec } from './spec.ts';

export interface ServiceOptions {
  host: string;
  port: number;
  postgresUrl: string;
  database: string;
  brokers: string[];
  topicPrefix: string;
  adminToken: string;
  /** Command partitions handled at once. */
  concurrency: number;
  logLevel: string;
  /** ORCHESTRATOR=choreography: the reactions run, with the saga's budgets and the ownership registry (ADR 0018). */
  choreography: boolean;
  timing: SagaTiming;
  registryDatabase: string;
}

/**
 * Reads a service's settings: `<NAME>_PORT` and `<NAME>_DATABASE` (e.g. `INVENTORY_PORT`), plus
 * the shared server addresses, `ADMIN_TOKEN`, `SERVICE_HOST`, `COMMAND_CONCURRENCY`, `LOG_LEVEL`.
 */
/** The settings a service reads (its name decides `<NAME>_PORT` and `<NAME>_DATABASE`). */
export const serviceSettings = (name: string, defaults: { port: number; database: string }) => {
  const P = name.toUpperCase();
  return {
    ...serverSettings,
    [`${P}_PORT`]: setting.port(defaults.port),
    [`${P}_DATABASE`]: setting.string(defaults.database),
    SERVICE_HOST: setting.string('127.0.0.1'),
    ADMIN_TOKEN: setting.string('workbench-admin'),
    COMMAND_CONCURRENCY: setting.int(8, 1, 64),
    LOG_LEVEL: setting.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    /** Which coordinator drives the saga; the services take part only under `choreography` (the launcher checks the name). */
    ORCHESTRATOR: setting.string('custom'),
    ...sagaBudgetSettings,
    SAGA_REGISTRY_DATABASE: registryDatabaseSetting,
  };
};

export const loadServiceOptions = (
  name: string,
  defaults: { port: number; database: string },
  env: Record<string, string | undefined> = process.env,
): ServiceOptions => {
  const P = name.toUpperCase();
  const cfg = loadConfig(serviceSettings(name, defaults), env) as Record<string, unknown> & { KAFKA_BROKERS: string[] };
  return {
    host: cfg.SERVICE_HOST as string,
    port: cfg[`${P}_PORT`] as number,
    postgresUrl: cfg.POSTGRES_URL as string,
    database: cfg[`${P}_DATABASE`] as string,
    brokers: cfg.KAFKA_BROKERS,
    topicPrefix: cfg.KAFKA_TOPIC_PREFIX as string,
    adminToken: cfg.ADMIN_TOKEN as string,
    concurrency: cfg.COMMAND_CONCURRENCY as number,
    logLevel: cfg.LOG_LEVEL as string,
    choreography: cfg.ORCHESTRATOR === CHOREOGRAPHY,
    timing: sagaTiming(cfg as unknown as Parameters<typeof sagaTiming>[0]),
    registryDatabase: cfg.SAGA_REGISTRY_DATABASE as string,
  };
};

export interface RunningService {
  url: string;
  ctx: ServiceContext;
  stop(): Promise<void>;
}

const PG_TRANSIENT = /^(08|57P0|53|40001|40P01)/;
/** Not now, but later: injected faults, a database that is restarting, a serialization conflict, an event not yet heard. */
export const transient = (err: unknown) => {
  const code = (err as { code?: unknown }).code;
  return (
    isTransient(err) ||
    err instanceof NotYet ||
    (typeof code === 'string' && (PG_TRANSIENT.test(code) || ['ECONNREFUSED', 'ECONNRESET'].includes(code)))
  );
};

/**
 * Starts a service: migrations, pool, outbox relay, the command consumer on
 * `<service>.commands`, and the HTTP app with `/commands/<CommandType>`, `/admin/faults`,
 * `/health`, `/metrics` and the service's own routes.
 */
export const startService = async <T extends CommandType>(
  spec: ServiceSpec<T>,
  opts: ServiceOptions,
): Promise<RunningService> => {
  // ORCHESTRATOR=choreography: the reactions (and the order service's keeper) run in this process, claiming on the registry.
  const part = opts.choreography ? spec.choreography : undefined;
  const host = await openHost({
    name: spec.name,
    logLevel: opts.logLevel,
    postgresUrl: opts.postgresUrl,
    database: opts.database,
    migrations: [{ dir: spec.migrationsDir, table: 'pgmigrations' }],
    poolMax: opts.concurrency + 4,
    brokers: opts.brokers,
    outbox: true,
    relay: true,
    ...(part ? { registry: { database: opts.registryDatabase, owner: CHOREOGRAPHY } } : {}),
  });
  const { log, pool, kafka, producer, ownership } = host;
  const ctx: ServiceContext = {
    pool,
    log,
    now: () => new Date(),
    topic: (t) => opts.topicPrefix + t,
    adminToken: opts.adminToken,
    choreography: opts.choreography,
  };

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, labels: { service: spec.name } });
  const faults = createFaults();
  const execute = createExecutor(spec, ctx, faults, registry);

  const deps = ownership && {
    ctx,
    kafka,
    producer,
    ownership,
    timing: opts.timing,
    execute: execute as never,
    transient,
    concurrency: opts.concurrency,
  };
  const keeper = deps && part?.keeper ? await part.keeper(deps) : undefined;

  const app = createApp({
    name: spec.name,
    logger: log,
    registry,
    health: {
      postgres: async () => void (await pool.query('SELECT 1')),
      outboxRelay: async () => {
        const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
        if (rows[0]!.n > 10_000) throw new Error(`${rows[0]!.n} messages waiting in the outbox`);
      },
    },
    routes: (router) => {
      commandRoutes(spec.commandTypes, execute)(router);
      adminRoutes(faults, opts.adminToken)(router);
      spec.routes?.(ctx)(router);
      keeper?.routes(router);
    },
  });

  const handled = new Set<string>(spec.commandTypes);
  const consumer = await startConsumer({
    kafka,
    producer,
    groupId: `${opts.topicPrefix}${spec.name}-service`,
    topics: [ctx.topic(spec.commandTopic)],
    schema: Command.refine((c) => handled.has(c.type), {
      message: `not a command this service handles (${spec.commandTypes.join(', ')})`,
      path: ['type'],
    }),
    handle: (command) =>
      execute(command as CommandOf<T>, 'kafka').then(
        () => undefined,
        (err: unknown) => {
          if (!(err instanceof NotYet)) throw err;
          // Nothing was written; the sender's retry brings it again (a made-up order holds no partition).
          log.warn(
            { sagaId: command.sagaId, commandId: command.messageId, reason: err.message },
            'command not answered yet',
          );
        },
      ),
    isTransient: transient,
    concurrency: opts.concurrency,
    fromBeginning: true,
    onDeadLetter: (reason, meta) => log.warn({ reason, ...meta }, 'command dead-lettered'),
  });

  const outcomes = spec.onOrderOutcome
    ? await startConsumer({
        kafka,
        producer,
        groupId: `${opts.topicPrefix}${spec.name}-order-outcomes`,
        topics: [ctx.topic(Topics.orderEvents)],
        schema: OrderEvent,
        handle: async (e) =>
          e.type === 'OrderCreated' ? undefined : withTransaction(pool, (tx) => spec.onOrderOutcome!(tx, e, ctx)),
        isTransient: transient,
        concurrency: opts.concurrency,
        fromBeginning: true,
        onDeadLetter: (reason, meta) => log.warn({ reason, ...meta }, 'order event dead-lettered'),
      })
    : undefined;

  const reactions =
    deps && part && part.reactions.length > 0
      ? await startReactions({ ...deps, name: spec.name, reactions: part.reactions })
      : undefined;

  const background = spec.background?.(ctx);
  host.onStop(() => consumer.stop());
  host.onStop(() => outcomes?.stop());
  host.onStop(() => reactions?.stop());
  host.onStop(() => keeper?.stop());
  host.onStop(() => background?.stop());
  const http = await host.serve(app, opts.port, opts.host);
  log.info({ port: http.port, database: opts.database }, `${spec.name} service listening`);
  return { url: http.url, ctx, stop: () => host.stop() };
};
