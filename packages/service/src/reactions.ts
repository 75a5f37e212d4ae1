import pRetry from 'p-retry';
import { randomUUID } from 'node:crypto';
import {
  CHOREOGRAPHY,
  commandEnvelope,
  DomainEvent,
  eventTopic,
  PATIENT_MAX_BACKOFF_MS,
  STEP_RETRY,
  type ChoreographyEvent,
  type CommandOf,
  type CommandType,
  type DomainEventOf,
  type DomainEventType,
  type Reply,
} from '@saga/contracts';
import { startConsumer } from '@saga/kafka';
import { appendToOutbox, toOutbox, type OutboxMessage } from '@saga/outbox';
import { withTransaction } from '@saga/postgres';
import { isTransient } from './faults.ts';
import type { ChoreographyDeps } from './spec.ts';

/** An event that carries a choreographed saga on: its type and payload (the envelope is added). */
export type FollowUp = {
  [T in ChoreographyEvent['type']]: { type: T; payload: DomainEventOf<T>['payload'] };
}[ChoreographyEvent['type']];

/**
 * How long a reaction's step tries when its service fails it (a transient fault), with the same
 * backoff as the orchestrated step (STEP_RETRY): `step` — the step's attempts (SAGA_STEP_ATTEMPTS),
 * then `ReactionFailed`; `compensation` — SAGA_COMPENSATION_ATTEMPTS, then `ReactionFailed`;
 * `untilDone` — past the pivot and the order's own verdicts, never given up.
 */
export type Budget = 'step' | 'compensation' | 'untilDone';

/** One reaction of a service (ADR 0018): on an event, run one of its own commands, then say what happened. */
export interface Reaction<E extends DomainEventType = DomainEventType> {
  on: E;
  /** Where it arrives, when not the topic of the service that publishes it (ReactionFailed comes from several). */
  topics?: string[];
  /** The saga step it performs; the command id is `<saga id>:<step>`, as the custom orchestrator's. */
  step: string;
  budget: Budget;
  /**
   * Whose saga it is: `claim` on the event that starts one (the registry's first writer wins, ADR
   * 0011), `check` on events every mode publishes (the order's verdicts); events of the
   * choreography's own vocabulary arise only in its sagas.
   */
  ownership?: 'claim' | 'check';
  /** The command to run; none: this event needs nothing of this service. */
  command(e: DomainEventOf<E>): { type: CommandType; payload: Record<string, unknown> } | undefined;
  /** The event that follows the reply, committed with its effect; none when the handler's own events carry on (or nothing does). */
  then(e: DomainEventOf<E>, reply: Reply['payload']): FollowUp | undefined;
}

/** Declares a reaction with its event's type (a list of reactions holds several types). */
export const reaction = <E extends DomainEventType>(r: Reaction<E>): Reaction => r as unknown as Reaction;

/** `ReactionFailed` for a refusal of a step that has no business event for it (a compensation, a step past the pivot). */
export const failed = (
  e: { payload: { orderId: string; customerId?: string | undefined } },
  step: string,
  reply: Reply['payload'],
): FollowUp | undefined =>
  reply.outcome === 'FAILURE'
    ? {
        type: 'ReactionFailed',
        payload: {
          orderId: e.payload.orderId,
          customerId: e.payload.customerId ?? '?',
          step,
          reason: reply.reason.slice(0, 500),
        },
      }
    : undefined;

export type ReactionsOptions = ChoreographyDeps & { name: string; reactions: readonly Reaction[] };

/**
 * Consumes the events a service reacts to (`<prefix><service>-choreography`) and runs each
 * reaction through the service's own executor — faults, inbox and outbox as for a command — so
 * the effect, its inbox record and the event that follows commit in one transaction.
 */
export const startReactions = async (o: ReactionsOptions) => {
  const { ctx } = o;
  const byType = new Map(o.reactions.map((r) => [r.on, r]));
  const attempts = (b: Budget) =>
    b === 'step' ? o.timing.stepAttempts : b === 'compensation' ? o.timing.compensationAttempts : Infinity;
  const envelope = (sagaId: string, f: FollowUp, topic: string): OutboxMessage => {
    const event = { messageId: randomUUID(), sagaId, occurredAt: ctx.now().toISOString(), ...f };
    return toOutbox(ctx.topic(topic), event);
  };
  const topicOf = (f: FollowUp) => (f.type === 'ReactionFailed' ? `${o.name}.events` : eventTopic(f.type));

  const react = async (e: DomainEvent) => {
    const r = byType.get(e.type);
    const wanted = r?.command(e);
    if (!r || !wanted) return;
    if (r.ownership === 'claim' && !(await o.ownership.claim(e.sagaId))) return;
    if (r.ownership === 'check' && (await o.ownership.ownerOf(e.sagaId)) !== CHOREOGRAPHY) return;
    const { type, payload } = wanted;
    const command = commandEnvelope(
      { commandId: `${e.sagaId}:${r.step}`, sagaId: e.sagaId, type, payload },
      ctx.now(),
    ) as CommandOf<CommandType>;
    const follow = (reply: Reply) => {
      const f = r.then(e, reply.payload);
      return f ? [envelope(e.sagaId, f, topicOf(f))] : [];
    };
    const patient = r.budget === 'untilDone';
    try {
      await pRetry(() => o.execute(command, 'event', follow), {
        retries: attempts(r.budget) - 1,
        minTimeout: STEP_RETRY.initialBackoffMs,
        factor: STEP_RETRY.factor,
        maxTimeout: patient ? PATIENT_MAX_BACKOFF_MS : STEP_RETRY.maxBackoffMs,
        randomize: true,
        // Only the service's own refusals (injected faults) spend the budget; a database that is
        // down goes back to the consumer, which retries it without limit.
        shouldRetry: ({ error }) => isTransient(error),
      });
    } catch (err) {
      if (!isTransient(err)) throw err;
      ctx.log.warn({ sagaId: e.sagaId, step: r.step, err }, 'reaction gave up: its attempts are spent');
      const reason = `RETRIES_EXHAUSTED:${r.step}`;
      const customerId =
        'customerId' in e.payload && typeof e.payload.customerId === 'string' ? e.payload.customerId : '?';
      await withTransaction(ctx.pool, (tx) =>
        appendToOutbox(tx, [
          envelope(
            e.sagaId,
            { type: 'ReactionFailed', payload: { orderId: e.sagaId, customerId, step: r.step, reason } },
            `${o.name}.events`,
          ),
        ]),
      );
    }
  };

  return startConsumer({
    kafka: o.kafka,
    producer: o.producer,
    groupId: `${ctx.topic('')}${o.name}-choreography`,
    topics: [...new Set(o.reactions.flatMap((r) => (r.topics ?? [eventTopic(r.on)]).map(ctx.topic)))],
    schema: DomainEvent,
    handle: react,
    isTransient: o.transient,
    concurrency: o.concurrency,
    fromBeginning: true,
    onDeadLetter: (reason, meta) => ctx.log.warn({ reason, ...meta }, 'event dead-lettered'),
  });
};
