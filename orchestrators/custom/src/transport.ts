import { commandTopic, type Command } from '@saga/contracts';
import { toOutbox, type OutboxMessage } from '@saga/outbox';
import type { OutgoingCommand } from './engine.ts';

export const toEnvelope = (c: OutgoingCommand, now: Date): Command =>
  ({ messageId: c.commandId, sagaId: c.sagaId, occurredAt: now.toISOString(), type: c.type, payload: c.payload }) as Command;

/** Kafka transport: commands leave through the orchestrator's outbox, written with the transition. */
export const kafkaOutbox = (topic: (t: string) => string) => (commands: OutgoingCommand[], now: Date): OutboxMessage[] =>
  commands.map((c) => toOutbox(topic(commandTopic(c.type)), toEnvelope(c, now)));
