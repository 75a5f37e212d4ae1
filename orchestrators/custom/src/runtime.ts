import { setTimeout as sleep } from 'node:timers/promises';
import {
  commandEnvelope,
  commandTopic,
  type MessageRoute,
  type OrderCreated,
  type ReplyOutcome,
} from '@saga/contracts';
import { sagaTiming, serviceUrlSetting } from '@saga/config';
import { createApp, postCommand } from '@saga/http';
import { processOnce } from '@saga/outbox';
import { withTransaction, type PoolClient, type Queryable } from '@saga/postgres';
import {
  consumedAt,
  messageRoutes,
  openCoordinatorHost,
  operatorApi,
  startReplyConsumer,
  startSagaStarter,
  transient,
} from '@saga/service';
import { customOperator } from './api.ts';
import { CUSTOM_GROUPS, type OrchestratorConfig } from './config.ts';
import { SagaEngine, type SagaEvent, type SagaStatus, type Transition } from './engine.ts';
import { orderSaga, type OrderSagaData } from './order-saga.ts';
import { sagaStore, VersionConflict } from './store.ts';
import { pollTimers } from './timers.ts';
import { kafkaOutbox } from './transport.ts';

export interface RunningOrchestrator {
  url: string;
  stop(): Promise<void>;
}

/**
 * The custom orchestrator process: starts a saga per OrderCreated, feeds replies (Kafka, or HTTP
 * responses) and due timers to the engine, and persists each transition with the commands it
 * emits in one transaction. Any number of instances may run against one database.
 */
export const startOrchestrator = async (cfg: OrchestratorConfig): Promise<RunningOrchestrator> => {
  const viaKafka = cfg.TRANSPORT === 'kafka';
  const host = await openCoordinatorHost(cfg, {
    name: 'orchestrator-custom',
    owner: 'custom',
    instance: cfg.INSTANCE_ID,
    database: cfg.ORCHESTRATOR_DATABASE,
    migrationsUrl: new URL('../migrations', import.meta.url),
    extraConnections: 6,
    // Over Kafka the commands leave through the outbox, written with the transition.
    outbox: true,
    relay: viaKafka,
  });
  const { log, pool } = host;
  const timing = sagaTiming(cfg);
  const engine = new SagaEngine(orderSaga(timing));
  const store = (db: Queryable) => sagaStore<OrderSagaData>(db, engine.def.name);
  const topic = (t: string) => cfg.KAFKA_TOPIC_PREFIX + t;
  const commandsOut = kafkaOutbox(topic);
  const routes = messageRoutes(cfg, { outbox: true });
  /** The rows a transition writes besides the saga: history (each command with where it goes), and over Kafka its commands. */
  const written = (t: Transition<OrderSagaData>, from: SagaStatus | null, now: number) => ({
    from,
    history: t.history.map((e) => {
      const sent = e.kind === 'requested' ? t.send.find((c) => c.commandId === e.commandId) : undefined;
      return sent ? { ...e, via: routes.command(sent.type) } : e;
    }),
    instance: cfg.INSTANCE_ID,
    outbox: viaKafka ? commandsOut(t.send, new Date(now)) : [],
  });

  /** Loads, transitions and saves one saga in `tx`; Kafka commands go into the same transaction. */
  const applyIn = async (tx: PoolClient, sagaId: string, event: SagaEvent<OrderSagaData>, now = Date.now()) => {
    const stored = await store(tx).load(sagaId);
    if (!stored) return undefined;
    const cur = stored.state.current;
    if (event.type === 'tick' && viaKafka && cur?.waiting === 'reply' && cur.dueAt <= now) {
      // Only a due attempt timer reads it (one query, not one per tick): the attempt's command may
      // still wait in our outbox (the broker is down), and then it has not started.
      event = { type: 'tick', unsent: await store(tx).unsent(cur.commandId) };
    }
    const t = engine.transition(stored.state, event, { now, random: Math.random() });
    if (t.refused) return t;
    await store(tx).save(t.state, stored.version, t.wakeAt, written(t, stored.state.status, now));
    return t;
  };

  /** HTTP transport: after the commit, each command is one request; its answer is the next event. */
  const dispatch = (t: Transition<OrderSagaData> | undefined) => {
    if (viaKafka || !t) return;
    for (const c of t.send) {
      void postCommand(
        cfg[serviceUrlSetting(commandTopic(c.type))],
        commandEnvelope(c, new Date()),
        timing.stepTimeoutMs,
      )
        .then(async (r) => {
          if (r.kind === 'reply') await onReply(c.sagaId, c.commandId, r.replyId, r.outcome, r.reason, routes.answer());
          else
            await onEvent(c.sagaId, {
              type: 'attempt-failed',
              commandId: c.commandId,
              attempt: c.attempt,
              error: r.error,
            });
        })
        .catch((err: unknown) =>
          log.error({ err, sagaId: c.sagaId }, 'could not record the answer to a command; its timer will retry it'),
        );
    }
  };

  const retryConflicts = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof VersionConflict) || attempt >= 20) throw err;
        await sleep(Math.random() * 5 * attempt);
      }
    }
  };

  const onEvent = (sagaId: string, event: SagaEvent<OrderSagaData>) =>
    retryConflicts(async () => {
      const t = await withTransaction(pool, (tx) => applyIn(tx, sagaId, event));
      dispatch(t);
      return t;
    });

  const onReply = (
    sagaId: string,
    commandId: string,
    replyId: string,
    outcome: ReplyOutcome,
    reason: string | undefined,
    via: MessageRoute,
  ) =>
    retryConflicts(async () => {
      let t: Transition<OrderSagaData> | undefined;
      await processOnce(pool, 'saga-replies', replyId, async (tx) => {
        t = await applyIn(tx, sagaId, {
          type: 'reply',
          commandId,
          replyId,
          outcome,
          via,
          ...(reason ? { reason } : {}),
        });
        return { outcome: { status: t?.state.status ?? 'UNKNOWN_SAGA' } };
      });
      dispatch(t);
    });

  const startSaga = async (order: OrderCreated['payload']) => {
    const now = Date.now();
    const data: OrderSagaData = {
      orderId: order.orderId,
      customerId: order.customerId,
      lines: order.lines,
      totalCents: order.totalCents,
    };
    const t = engine.transition(
      engine.initial(order.orderId, data),
      { type: 'start', data },
      { now, random: Math.random() },
    );
    // A duplicate event starts nothing (and writes nothing): one statement, no transaction needed.
    const inserted = await store(pool).insert(t.state, t.wakeAt, written(t, null, now));
    if (inserted) dispatch(t);
  };

  const isTransient = (err: unknown) => err instanceof VersionConflict || transient(err);
  const starter = await startSagaStarter(host, cfg, { group: CUSTOM_GROUPS.starter, start: startSaga, isTransient });
  const replies = await startReplyConsumer(host, cfg, {
    group: CUSTOM_GROUPS.replies,
    isTransient,
    handle: (r, meta) =>
      onReply(
        r.sagaId,
        r.payload.commandId,
        r.messageId,
        r.payload.outcome,
        r.payload.outcome === 'FAILURE' ? r.payload.reason : undefined,
        consumedAt(meta),
      ),
  });

  // Timers: one statement while nothing is due, then the due sagas in one transaction (timers.ts).
  let running = true;
  const BATCH = 100;
  const pollOnce = async () => {
    const { locked, fired } = await pollTimers(pool, store, BATCH, (tx, id) => applyIn(tx, id, { type: 'tick' }));
    fired.forEach(dispatch);
    return locked;
  };
  const poller = (async () => {
    while (running) {
      const n = await pollOnce().catch((err: unknown) => (log.error({ err }, 'timer poll failed'), 0));
      if (n < BATCH) await sleep(cfg.TIMER_POLL_MS);
    }
  })();

  const app = createApp({
    name: 'orchestrator-custom',
    logger: log,
    health: { postgres: async () => void (await pool.query('SELECT 1')) },
    routes: operatorApi(customOperator(pool, onEvent), cfg.ADMIN_TOKEN, routes),
  });
  host.onStop(() => (running = false));
  host.onStop(() => starter?.stop());
  host.onStop(() => replies?.stop());
  host.onStop(() => poller);
  const http = await host.serve(app, cfg.ORCHESTRATOR_PORT, cfg.SERVICE_HOST);
  log.info(
    { port: http.port, transport: cfg.TRANSPORT, database: cfg.ORCHESTRATOR_DATABASE, drain: cfg.SAGA_DRAIN },
    cfg.SAGA_DRAIN ? 'custom orchestrator draining: finishing its sagas, starting none' : 'custom orchestrator running',
  );

  return { url: http.url, stop: () => host.stop() };
};
