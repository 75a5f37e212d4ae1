import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { commandTopic } from '@saga/contracts';
import { sagaTiming, serviceUrlSetting, temporalConnection } from '@saga/config';
import { createApp } from '@saga/http';
import {
  consumedAt,
  messageRoutes,
  openCoordinatorHost,
  operatorApi,
  startReplyConsumer,
  startSagaStarter,
} from '@saga/service';
import { completeFromReply, createActivities, sweepPendingCommands } from './activities.ts';
import { workflowBundle } from './bundle.ts';
import { TEMPORAL_GROUPS, type TemporalConfig } from './config.ts';
import { CustomerIdKey, OrderIdKey, SagaStatusKey, type CommandResult } from './shared.ts';
import { temporalOperator } from './operator.ts';
import { orderSaga } from './workflows.ts';

/**
 * The Temporal coordinator process: a worker running the order saga workflow and its activity,
 * a starter that turns each OrderCreated into a workflow (workflow id = order id), and — over
 * Kafka — the reply consumer that completes the waiting activity. `/health` and the operator API
 * every coordinator serves (`/sagas`, `/sagas/:id`, operator actions; operator.ts).
 */
export const startTemporalCoordinator = async (cfg: TemporalConfig) => {
  const host = await openCoordinatorHost(cfg, {
    name: 'orchestrator-temporal',
    owner: 'temporal',
    database: cfg.ORCHESTRATOR_TEMPORAL_DATABASE,
    migrationsUrl: new URL('../migrations', import.meta.url),
    extraConnections: 4,
  });
  const { log, pool, producer } = host;
  const topic = (t: string) => cfg.KAFKA_TOPIC_PREFIX + t;
  const timing = sagaTiming(cfg);

  const nativeConnection = await NativeConnection.connect(temporalConnection(cfg));
  const connection = await Connection.connect(temporalConnection(cfg));
  const client = new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
  const bundle = await workflowBundle();
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: cfg.TEMPORAL_NAMESPACE,
    taskQueue: cfg.TEMPORAL_TASK_QUEUE,
    workflowBundle: { codePath: bundle.codePath },
    stickyQueueScheduleToStartTimeout: cfg.TEMPORAL_STICKY_TIMEOUT_MS,
    activities: createActivities({
      transport: cfg.TRANSPORT,
      urlFor: (t) => cfg[serviceUrlSetting(commandTopic(t))],
      producer,
      pool,
      topic,
    }),
  });
  const running = worker.run();

  const starter = await startSagaStarter(host, cfg, {
    group: TEMPORAL_GROUPS.starter,
    start: async ({ orderId, customerId, lines, totalCents }) => {
      await client.workflow
        .start(orderSaga, {
          workflowId: orderId,
          taskQueue: cfg.TEMPORAL_TASK_QUEUE,
          args: [{ orderId, customerId, lines, totalCents, timing, activities: cfg.TEMPORAL_ACTIVITIES }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: OrderIdKey, value: orderId },
            { key: CustomerIdKey, value: customerId },
            { key: SagaStatusKey, value: 'RUNNING' },
          ],
        })
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // a duplicate event starts nothing
        });
    },
  });

  const replies = await startReplyConsumer(host, cfg, {
    group: TEMPORAL_GROUPS.replies,
    inParallel: cfg.TEMPORAL_REPLY_PARALLEL,
    handle: async (r, meta) => {
      const result: CommandResult = {
        outcome: r.payload.outcome,
        messageId: r.messageId,
        via: consumedAt(meta),
        ...(r.payload.outcome === 'FAILURE' ? { reason: r.payload.reason } : {}),
      };
      const kept = await completeFromReply(
        pool,
        (token, res) => client.activity.complete(token, res),
        r.payload.commandId,
        result,
      );
      if (kept === 'kept')
        log.debug(
          { commandId: r.payload.commandId },
          'attempt no longer waiting; the reply waits for the next attempt',
        );
    },
  });

  // Kafka transport: rows nobody will read again (a reply kept for an attempt that never came) go after a while.
  const sweeper =
    cfg.TRANSPORT === 'kafka'
      ? setInterval(
          () =>
            void sweepPendingCommands(pool).catch((err: unknown) => log.warn({ err }, 'pending-command sweep failed')),
          60_000,
        ).unref()
      : undefined;

  const app = createApp({
    name: 'orchestrator-temporal',
    logger: log,
    health: {
      temporal: async () => void (await connection.workflowService.getSystemInfo({})),
      postgres: async () => void (await pool.query('SELECT 1')),
    },
    routes: operatorApi(temporalOperator(client, cfg.TEMPORAL_TASK_QUEUE), cfg.ADMIN_TOKEN, messageRoutes(cfg)),
  });
  host.onStop(() => clearInterval(sweeper));
  host.onStop(() => starter?.stop());
  host.onStop(() => replies?.stop());
  host.onStop(async () => {
    // The SDK's runtime already shuts its workers down on SIGTERM/SIGINT; a second shutdown throws.
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  host.onStop(() => connection.close());
  host.onStop(() => nativeConnection.close());
  const http = await host.serve(app, cfg.TEMPORAL_COORDINATOR_PORT, cfg.SERVICE_HOST);
  log.info(
    {
      port: http.port,
      workflowBundle: bundle.built ? 'built' : 'reused',
      transport: cfg.TRANSPORT,
      taskQueue: cfg.TEMPORAL_TASK_QUEUE,
      drain: cfg.SAGA_DRAIN,
    },
    cfg.SAGA_DRAIN
      ? 'temporal coordinator draining: finishing its sagas, starting none'
      : 'temporal coordinator running',
  );

  return { url: http.url, client, stop: () => host.stop() };
};
