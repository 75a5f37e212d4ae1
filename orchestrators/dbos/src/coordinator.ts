import { DBOS, Error as DBOSErrors } from '@dbos-inc/dbos-sdk';
import { commandTopic } from '@saga/contracts';
import { sagaTiming, serviceUrlSetting } from '@saga/config';
import { createApp } from '@saga/http';
import {
  consumedAt,
  messageRoutes,
  openCoordinatorHost,
  operatorApi,
  startReplyConsumer,
  startSagaStarter,
} from '@saga/service';
import { DBOS_GROUPS, type DbosConfig } from './config.ts';
import { sagaIo } from './io.ts';
import { dbosOperator } from './operator.ts';
import { INBOX, type InboxMessage } from './shared.ts';
import { registerOrderSaga } from './workflow.ts';

/** DBOS's log levels for ours (it knows no fatal, trace or silent). */
const dbosLogLevel = (level: string) =>
  level === 'fatal' || level === 'silent' ? 'error' : level === 'trace' ? 'debug' : level === 'info' ? 'warn' : level;

/**
 * The DBOS coordinator process (ADR 0019): the order saga as a DBOS workflow in this process, its
 * state in DBOS's tables on the stack's PostgreSQL (no server of its own); a starter that turns
 * each OrderCreated into a workflow (workflow id = order id) and — over Kafka — a reply consumer
 * that hands each reply to its workflow as a message. `/health` and the operator API every
 * coordinator serves. On start DBOS recovers the workflows this executor left pending.
 */
export const startDbosCoordinator = async (cfg: DbosConfig) => {
  const host = await openCoordinatorHost(cfg, {
    name: 'orchestrator-dbos',
    owner: 'dbos',
    database: cfg.ORCHESTRATOR_DBOS_DATABASE,
    migrationsUrl: new URL('../migrations', import.meta.url),
    extraConnections: 4,
  });
  const { log, pool, producer } = host;
  const topic = (t: string) => cfg.KAFKA_TOPIC_PREFIX + t;
  const timing = sagaTiming(cfg);

  const orderSaga = registerOrderSaga(
    sagaIo({
      transport: cfg.TRANSPORT,
      pool,
      urlFor: (t) => cfg[serviceUrlSetting(commandTopic(t))],
      producer,
      topic,
    }),
  );
  DBOS.setConfig({
    name: 'order-saga',
    systemDatabaseUrl: host.url,
    systemDatabasePoolSize: cfg.DBOS_POOL_SIZE,
    applicationVersion: cfg.DBOS_APP_VERSION,
    executorID: cfg.INSTANCE_ID,
    logLevel: dbosLogLevel(cfg.LOG_LEVEL),
  });
  await DBOS.launch();

  // The workflow id is the order id: a duplicate OrderCreated finds the workflow and starts nothing.
  const starter = await startSagaStarter(host, cfg, {
    group: DBOS_GROUPS.starter,
    start: async ({ orderId, customerId, lines, totalCents }) =>
      void (await DBOS.startWorkflow(orderSaga, { workflowID: orderId })({
        orderId,
        customerId,
        lines,
        totalCents,
        timing,
      })),
  });

  const replies = await startReplyConsumer(host, cfg, {
    group: DBOS_GROUPS.replies,
    inParallel: cfg.REPLY_CONCURRENCY,
    handle: async (r, meta) => {
      const message: InboxMessage = {
        type: 'reply',
        commandId: r.payload.commandId,
        messageId: r.messageId,
        via: consumedAt(meta),
        outcome: r.payload.outcome,
        ...(r.payload.outcome === 'FAILURE' ? { reason: r.payload.reason } : {}),
      };
      // The reply's message id makes a redelivered reply one message; a saga of another coordinator has no workflow here.
      await DBOS.send(r.sagaId, message, INBOX, r.messageId).catch((err: unknown) => {
        if (!(err instanceof DBOSErrors.DBOSNonExistentWorkflowError)) throw err;
      });
    },
  });

  const app = createApp({
    name: 'orchestrator-dbos',
    logger: log,
    health: { postgres: async () => void (await pool.query('SELECT 1')) },
    routes: operatorApi(dbosOperator(pool), cfg.ADMIN_TOKEN, messageRoutes(cfg)),
  });
  host.onStop(() => starter?.stop());
  host.onStop(() => replies?.stop());
  // Its workflows stay pending in the database; the next start of this executor recovers them.
  host.onStop(() => DBOS.shutdown({ deregister: true }));
  const http = await host.serve(app, cfg.DBOS_COORDINATOR_PORT, cfg.SERVICE_HOST);
  log.info(
    { port: http.port, transport: cfg.TRANSPORT, executor: cfg.INSTANCE_ID, drain: cfg.SAGA_DRAIN },
    cfg.SAGA_DRAIN ? 'dbos coordinator draining: finishing its sagas, starting none' : 'dbos coordinator running',
  );
  return { url: http.url, stop: () => host.stop() };
};
