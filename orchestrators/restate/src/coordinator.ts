import * as clients from '@restatedev/restate-sdk-clients';
import { commandTopic } from '@saga/contracts';
import { sagaTiming, serviceUrlSetting } from '@saga/config';
import { createApp } from '@saga/http';
import {
  attemptCommand,
  openCoordinatorHost,
  consumedAt,
  messageRoutes,
  operatorApi,
  recordSagaRow,
  startReplyConsumer,
  startSagaStarter,
} from '@saga/service';
import { RESTATE_GROUPS, type RestateConfig } from './config.ts';
import { registerDeployment, serveEndpoint } from './endpoint.ts';
import { restateOperator, type SagaHandlers } from './operator.ts';
import { isAwakeableId, type OrderSagaInput, type ReplyMessage } from './shared.ts';
import { orderSagaWorkflow, type OrderSagaWorkflow } from './workflow.ts';

const trimSlash = (url: string) => url.replace(/\/$/, '');

/**
 * A call to Restate that failed is retried, never dead-lettered, unless Restate calls the input
 * bad (400): the message passed its schema, so the server was down, restarting or did not know
 * the deployment yet.
 */
const restateUnavailable = (err: unknown) => (err as { status?: number }).status !== 400;

/**
 * The Restate coordinator process (ADR 0020): the order saga as a Restate workflow, served from
 * this process's endpoint (HTTP/2) to the Restate server, which keeps its journal, timers, state
 * and promises and drives it; a starter that submits each OrderCreated as a workflow (key = order
 * id) and — over Kafka — a reply consumer that hands each reply to its saga's `reply` handler.
 * `/health` and the operator API every coordinator serves.
 */
export const startRestateCoordinator = async (cfg: RestateConfig) => {
  const host = await openCoordinatorHost(cfg, {
    name: 'orchestrator-restate',
    owner: 'restate',
    database: cfg.ORCHESTRATOR_RESTATE_DATABASE,
    migrationsUrl: new URL('../migrations', import.meta.url),
    extraConnections: 4,
  });
  const { log, pool, producer } = host;
  const timing = sagaTiming(cfg);

  const workflow = orderSagaWorkflow(
    {
      attempt: attemptCommand({
        transport: cfg.TRANSPORT,
        urlFor: (t) => cfg[serviceUrlSetting(commandTopic(t))],
        producer,
        topic: (t) => cfg.KAFKA_TOPIC_PREFIX + t,
      }),
      record: (row) => recordSagaRow(pool, 'restate_sagas', row),
    },
    cfg.RESTATE_WORKFLOW,
  );
  const endpoint = await serveEndpoint([workflow], cfg.RESTATE_ENDPOINT_PORT, cfg.SERVICE_HOST, log);
  host.onStop(endpoint.close);
  const endpointUrl = cfg.RESTATE_ENDPOINT_URL ?? `http://127.0.0.1:${endpoint.port}`;
  await registerDeployment(cfg.RESTATE_ADMIN_URL, endpointUrl);

  const ingress = clients.connect({ url: trimSlash(cfg.RESTATE_INGRESS_URL) });
  const sagaOf = (id: string) => ingress.workflowClient<OrderSagaWorkflow>({ name: cfg.RESTATE_WORKFLOW }, id);

  // The workflow key is the order id: a duplicate OrderCreated finds it submitted and starts nothing.
  const starter = await startSagaStarter(host, cfg, {
    group: RESTATE_GROUPS.starter,
    isTransient: restateUnavailable,
    start: async ({ orderId, customerId, lines, totalCents }) => {
      const input: OrderSagaInput = {
        orderId,
        customerId,
        lines,
        totalCents,
        timing,
        ...(cfg.TRANSPORT === 'kafka' && cfg.RESTATE_REPLIES === 'awakeable' ? { replies: 'awakeable' as const } : {}),
      };
      await sagaOf(orderId).workflowSubmit(input);
    },
  });

  const replies = await startReplyConsumer(host, cfg, {
    group: RESTATE_GROUPS.replies,
    inParallel: cfg.REPLY_CONCURRENCY,
    isTransient: restateUnavailable,
    handle: async (r, meta) => {
      const message: ReplyMessage = {
        commandId: r.payload.commandId,
        messageId: r.messageId,
        via: consumedAt(meta),
        outcome: r.payload.outcome,
        ...(r.payload.outcome === 'FAILURE' ? { reason: r.payload.reason } : {}),
        at: Date.now(),
      };
      // An awakeable is completed at the ingress (a second completion changes nothing); otherwise
      // the reply's message id makes a redelivered reply one invocation of the `reply` handler.
      if (isAwakeableId(message.commandId)) await ingress.resolveAwakeable(message.commandId, message);
      else await sagaOf(r.sagaId).reply(message, clients.rpc.opts({ idempotencyKey: r.messageId }));
    },
  });

  const handlers: SagaHandlers = {
    describe: async (id) => await sagaOf(id).describe(),
    operate: async (id, req) => await sagaOf(id).operate(req),
  };
  const ui = `${trimSlash(cfg.RESTATE_ADMIN_URL)}/ui`;
  const app = createApp({
    name: 'orchestrator-restate',
    logger: log,
    health: {
      postgres: async () => void (await pool.query('SELECT 1')),
      restate: async () => {
        const res = await fetch(`${trimSlash(cfg.RESTATE_ADMIN_URL)}/health`, { signal: AbortSignal.timeout(2_000) });
        if (!res.ok) throw new Error(`Restate admin answered ${res.status}`);
      },
    },
    routes: operatorApi(restateOperator(pool, handlers, { ui }), cfg.ADMIN_TOKEN, messageRoutes(cfg)),
  });
  host.onStop(() => starter?.stop());
  host.onStop(() => replies?.stop());
  const http = await host.serve(app, cfg.RESTATE_COORDINATOR_PORT, cfg.SERVICE_HOST);
  log.info(
    {
      port: http.port,
      endpoint: endpointUrl,
      transport: cfg.TRANSPORT,
      instance: cfg.INSTANCE_ID,
      drain: cfg.SAGA_DRAIN,
    },
    cfg.SAGA_DRAIN ? 'restate coordinator draining: finishing its sagas, starting none' : 'restate coordinator running',
  );
  return { url: http.url, stop: () => host.stop() };
};
