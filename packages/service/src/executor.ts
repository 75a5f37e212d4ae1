import { Counter, Histogram, type Registry } from 'prom-client';
import { Topics, type CommandOf, type CommandType, type Reply } from '@saga/contracts';
import { appendToOutbox, processOnce, toOutbox, type OutboxMessage } from '@saga/outbox';
import { withTransaction } from '@saga/postgres';
import type { Faults } from './faults.ts';
import { untilDecidable } from './not-yet.ts';
import type { ServiceContext, ServiceSpec } from './spec.ts';

/** How a command came: a coordinator's over Kafka or HTTP, or a choreography reaction to an event (ADR 0018). */
export type Via = 'kafka' | 'http' | 'event';

/**
 * The one path every command takes, whichever way it arrived: faults, then the inbox
 * transaction (effect + inbox record + reply + events commit together). Over Kafka the reply
 * goes to `saga.replies` through the outbox — also for a redelivery, which gets the stored reply
 * again; over HTTP it is the response. A reaction (`event`) gets no reply message: `follow` turns
 * the reply into the events that carry the saga on, committed with the effect.
 */
export const createExecutor = <T extends CommandType>(
  spec: ServiceSpec<T>,
  ctx: ServiceContext,
  faults: Faults,
  registry: Registry,
) => {
  const handled = new Counter({
    name: 'commands_total',
    help: 'Commands handled, by type, outcome and whether it was a redelivery',
    labelNames: ['type', 'outcome', 'duplicate', 'via'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'command_duration_seconds',
    help: 'Time to handle a command, faults included',
    labelNames: ['type'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const repliesTopic = ctx.topic(Topics.sagaReplies);

  return async (command: CommandOf<T>, via: Via, follow?: (reply: Reply) => OutboxMessage[]): Promise<Reply> => {
    const log = ctx.log.child({ sagaId: command.sagaId, commandId: command.messageId, type: command.type, via });
    const end = duration.startTimer({ type: command.type });
    await faults.beforeCommand();
    // A handler that cannot decide yet (NotYet) rolls back and is run again for a while (not-yet.ts).
    const { duplicate, outcome: reply } = await untilDecidable(() =>
      processOnce(ctx.pool, spec.name, command.messageId, async (tx) => {
        const { result, events = [] } = await spec.handle(tx, command, ctx);
        const reply: Reply = {
          messageId: `reply:${command.messageId}`,
          sagaId: command.sagaId,
          occurredAt: ctx.now().toISOString(),
          type: 'Reply',
          payload: {
            commandId: command.messageId,
            commandType: command.type,
            ...result,
            ...(result.outcome === 'SUCCESS' ? { data: result.data ?? {} } : {}),
          } as Reply['payload'],
        };
        return {
          outcome: reply,
          outbox: [...(via === 'kafka' ? [toOutbox(repliesTopic, reply)] : []), ...events, ...(follow?.(reply) ?? [])],
        };
      }),
    );
    // A redelivery gets the stored answer again: the reply over Kafka, the follow-up event of a
    // reaction (so an operator's retry of a refused compensation hears the refusal again).
    const again = duplicate
      ? via === 'kafka'
        ? [toOutbox(repliesTopic, reply)]
        : via === 'event'
          ? (follow?.(reply) ?? [])
          : []
      : [];
    if (again.length > 0) await withTransaction(ctx.pool, (tx) => appendToOutbox(tx, again));
    if (!duplicate && reply.payload.outcome === 'SUCCESS') {
      await spec.afterCommit?.(command, reply.payload.data, ctx);
    }
    end();
    handled.inc({ type: command.type, outcome: reply.payload.outcome, duplicate: String(duplicate), via });
    log.info({ outcome: reply.payload.outcome, duplicate }, 'command handled');
    return reply;
  };
};
