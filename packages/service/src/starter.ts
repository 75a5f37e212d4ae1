import { OrderEvent, Reply, Topics, type OrderCreated } from '@saga/contracts';
import { startConsumer, type MessageMeta } from '@saga/kafka';
import type { Host } from './host.ts';
import { transient } from './runtime.ts';

/**
 * A coordinator's starter: each OrderCreated becomes a saga through `start`, once this
 * coordinator has claimed the order in the registry (another one that owns it alone drives it,
 * whatever our offsets say; ADR 0011). None while draining: its group's offsets then wait for the
 * next normal start. `start` must start nothing twice for a redelivered event.
 */
export const startSagaStarter = async (
  host: Pick<Host, 'kafka' | 'producer' | 'log' | 'ownership'>,
  cfg: { SAGA_DRAIN: boolean; KAFKA_TOPIC_PREFIX: string; REPLY_CONCURRENCY: number },
  o: {
    group: string;
    start: (order: OrderCreated['payload']) => Promise<void>;
    isTransient?: (err: unknown) => boolean;
  },
) => {
  if (cfg.SAGA_DRAIN) return undefined;
  const { log } = host;
  return startConsumer({
    kafka: host.kafka,
    producer: host.producer,
    isTransient: o.isTransient ?? transient,
    groupId: cfg.KAFKA_TOPIC_PREFIX + o.group,
    topics: [cfg.KAFKA_TOPIC_PREFIX + Topics.orderEvents],
    schema: OrderEvent,
    fromBeginning: true,
    concurrency: cfg.REPLY_CONCURRENCY,
    onDeadLetter: (reason, meta) => log.error({ reason, ...meta }, 'OrderCreated dead-lettered: no saga started'),
    handle: async (e) => {
      if (e.type !== 'OrderCreated') return;
      const { orderId } = e.payload;
      if (!(await host.ownership!.claim(orderId)))
        return log.debug({ sagaId: orderId }, 'saga owned by another coordinator; not started');
      await o.start(e.payload);
    },
  });
};

/**
 * A coordinator's reply consumer (Kafka transport): each reply on `saga.replies`, handed to
 * `handle`; none over HTTP (the reply is the response). `inParallel`: replies of one partition at
 * once (they are matched by command id; order does not matter).
 */
export const startReplyConsumer = async (
  host: Pick<Host, 'kafka' | 'producer'>,
  cfg: { TRANSPORT: 'kafka' | 'http'; KAFKA_TOPIC_PREFIX: string; REPLY_CONCURRENCY: number },
  o: {
    group: string;
    inParallel?: number;
    /** `meta`: where the reply was consumed (topic, partition, offset). */
    handle: (reply: Reply, meta: MessageMeta) => Promise<void>;
    isTransient?: (err: unknown) => boolean;
  },
) => {
  if (cfg.TRANSPORT !== 'kafka') return undefined;
  return startConsumer({
    kafka: host.kafka,
    producer: host.producer,
    isTransient: o.isTransient ?? transient,
    groupId: cfg.KAFKA_TOPIC_PREFIX + o.group,
    topics: [cfg.KAFKA_TOPIC_PREFIX + Topics.sagaReplies],
    schema: Reply,
    fromBeginning: true,
    concurrency: cfg.REPLY_CONCURRENCY,
    ...(o.inParallel ? { inParallel: o.inParallel } : {}),
    handle: o.handle,
  });
};
