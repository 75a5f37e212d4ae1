import {
  commandTopic,
  Topics,
  type CommandType,
  type HistoryLine,
  type MessageRoute,
  type SagaTimeline,
} from '@saga/contracts';
import { serviceUrlSetting } from '@saga/config';
import type { MessageMeta } from '@saga/kafka';
import { orderSagaCommands } from './durable.ts';

/** What a coordinator's settings say about where its messages go. */
export interface RouteSettings {
  TRANSPORT: 'kafka' | 'http';
  KAFKA_TOPIC_PREFIX: string;
  ORDER_URL: string;
  INVENTORY_URL: string;
  PAYMENT_URL: string;
  NOTIFICATION_URL: string;
}

/** A message consumed from Kafka: its topic, partition and offset. */
export const consumedAt = (meta: Pick<MessageMeta, 'topic' | 'partition' | 'offset'>): MessageRoute => ({
  transport: 'kafka',
  to: meta.topic,
  partition: meta.partition,
  offset: meta.offset,
});

/**
 * Where a coordinator running with `cfg` sends a step's command — through its `outbox` (the
 * custom orchestrator) or straight onto the command's Kafka topic, or as an HTTP request to the
 * service — and where the answer comes back (the replies topic, or the response).
 */
export const messageRoutes = (cfg: RouteSettings, o: { outbox?: boolean } = {}) => {
  const kafka = cfg.TRANSPORT === 'kafka';
  const at = (transport: MessageRoute['transport'], to: string): MessageRoute => ({
    transport,
    to,
    partition: null,
    offset: null,
  });
  return {
    command: (type: CommandType): MessageRoute =>
      kafka
        ? at(o.outbox ? 'outbox' : 'kafka', cfg.KAFKA_TOPIC_PREFIX + commandTopic(type))
        : at('http', `POST ${cfg[serviceUrlSetting(commandTopic(type))]}/commands/${type}`),
    answer: (): MessageRoute =>
      kafka ? at('kafka', cfg.KAFKA_TOPIC_PREFIX + Topics.sagaReplies) : at('http', 'response'),
  };
};
export type MessageRoutes = ReturnType<typeof messageRoutes>;

/** The command type of each of the order saga's steps (its forward steps, undos and rejection). */
const COMMAND_OF_STEP: Record<string, CommandType> = (() => {
  const c = orderSagaCommands({ orderId: '', customerId: '', lines: [], totalCents: 0 });
  const all = [...c.beforePivot.flatMap((s) => [s.step, s.undo]), c.pivot, ...c.afterPivot, ...c.rejection('')];
  return Object.fromEntries(all.map((s) => [s.action, s.type]));
})();

const ANSWERS: ReadonlySet<HistoryLine['kind']> = new Set(['succeeded', 'refused', 'ignored']);

/**
 * A timeline whose command and answer entries say where they travelled: what the coordinator
 * recorded (a consumed reply's partition and offset) is kept; an entry without it gets the route
 * its coordinator's transport gives that step (topic or request, no offset).
 */
export const withRoutes = (t: SagaTimeline, routes: MessageRoutes): SagaTimeline => ({
  ...t,
  history: t.history.map((e) => {
    if (e.via || !e.step) return e;
    const type = COMMAND_OF_STEP[e.step];
    if (e.kind === 'requested' && type) return { ...e, via: routes.command(type) };
    if (ANSWERS.has(e.kind) && type && (e.kind !== 'ignored' || e.messageId)) return { ...e, via: routes.answer() };
    return e;
  }),
});
