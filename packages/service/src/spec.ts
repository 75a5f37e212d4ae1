import type { Router } from 'express';
import type { Kafka, Producer } from 'kafkajs';
import type { SagaTiming } from '@saga/config';
import type { CommandOf, CommandType, OrderApproved, OrderRejected, Reply } from '@saga/contracts';
import type { Logger } from '@saga/http';
import type { OutboxMessage } from '@saga/outbox';
import type { Ownership } from '@saga/ownership';
import type { Pool, PoolClient } from '@saga/postgres';
import type { Via } from './executor.ts';
import type { Reaction } from './reactions.ts';

/** What a handler decided: the reply's result, and any domain events to publish with it. */
export interface CommandResult {
  result:
    { outcome: 'SUCCESS'; data?: Record<string, unknown> } | { outcome: 'FAILURE'; reason: string; detail?: string };
  events?: OutboxMessage[];
}

export interface ServiceContext {
  pool: Pool;
  log: Logger;
  now: () => Date;
  /** A topic name with this deployment's prefix (KAFKA_TOPIC_PREFIX). */
  topic: (name: string) => string;
  adminToken: string;
  /** ORCHESTRATOR=choreography: the service's reactions run (ADR 0018). */
  choreography: boolean;
}

/** What a service's choreography part is given to run with. */
export interface ChoreographyDeps {
  ctx: ServiceContext;
  kafka: Kafka;
  producer: Producer;
  ownership: Ownership;
  timing: SagaTiming;
  execute: (command: CommandOf<CommandType>, via: Via, follow?: (reply: Reply) => OutboxMessage[]) => Promise<Reply>;
  transient: (err: unknown) => boolean;
  concurrency: number;
}

/** A service's part in the choreographed saga (ADR 0018): its reactions, and (the order service) the saga's keeper. */
export interface Choreography {
  reactions: readonly Reaction[];
  /** Keeps the sagas' view, owns the deadline and serves the operator API. */
  keeper?(deps: ChoreographyDeps): Promise<{ routes: (router: Router) => void; stop(): Promise<void> }>;
}

/** One domain service, as data: the runtime (`startService`) supplies Kafka, HTTP, inbox and outbox. */
export interface ServiceSpec<T extends CommandType> {
  name: string;
  /** Topic its commands arrive on (unprefixed). */
  commandTopic: string;
  commandTypes: readonly T[];
  /** Folder of this service's `.sql` migrations. */
  migrationsDir: string;
  /** Acts on a command inside the inbox transaction; throws only for technical errors. */
  handle(tx: PoolClient, command: CommandOf<T>, ctx: ServiceContext): Promise<CommandResult>;
  /** The service's own HTTP routes (besides /commands, /admin, /health, /metrics). */
  routes?(ctx: ServiceContext): (router: Router) => void;
  /**
   * The order's fate, learnt from `order.events` (OrderApproved / OrderRejected), in one
   * transaction per event; must be idempotent (a redelivery runs it again). Lets a service defend
   * its invariants against a late or rogue coordinator (ADR 0012): after approval nothing is
   * undone, after rejection nothing comes back.
   */
  onOrderOutcome?(tx: PoolClient, event: OrderApproved | OrderRejected, ctx: ServiceContext): Promise<void>;
  /** Its reactions under ORCHESTRATOR=choreography. */
  choreography?: Choreography;
  /** Runs once after a command's first processing committed (e.g. hand a message to a channel); must not throw. */
  afterCommit?(command: CommandOf<T>, data: Record<string, unknown>, ctx: ServiceContext): Promise<void>;
  /** Work of its own while the service runs (e.g. hand over again what `afterCommit` did not finish); stopped with it. */
  background?(ctx: ServiceContext): { stop(): Promise<void> };
}
