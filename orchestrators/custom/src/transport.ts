import { commandTopic, type Command } from '@saga/contracts';
import { appendToOutbox, toOutbox } from '@saga/outbox';
import type { Queryable } from '@saga/postgres';
import type { OutgoingCommand } from './engine.ts';

export const toEnvelope = (c: OutgoingCommand, now: Date): Command =>
  ({ messageId: c.commandId, sagaId: c.sagaId, occurredAt: now.toISOString(), type: c.type, payload: c.payload }) as Command;

/** Kafka transport: commands leave through the orchestrator's outbox, in the transition's transaction. */
export const kafkaSend = (topic: (t: string) => string) => (tx: Queryable, commands: OutgoingCommand[], now: Date) =>
  appendToOutbox(tx, commands.map((c) => toOutbox(topic(commandTopic(c.type)), toEnvelope(c, now))));
