import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '@saga/contracts';
import { scratchDatabase, type ScratchDb } from '@saga/testkit';
import {
  answerOf,
  CONFORMANCE,
  CONFORMANCE_TIMING,
  conformanceTimelineProblems,
  distinctCommands,
  type ConformanceCase,
} from '@saga/testkit/conformance';
import { sagaIo } from './io.ts';
import { dbosOperator } from './operator.ts';
import { INBOX, type AttemptOutput, type InboxMessage, type SagaIO } from './shared.ts';
import { registerOrderSaga } from './workflow.ts';

/**
 * The conformance table (issue 15) on the DBOS workflow, over both transports, against a real
 * PostgreSQL (DBOS keeps its state there; no test double of it exists): each attempt gets the
 * row's answer — over HTTP as the attempt's result, over Kafka as a reply message to the workflow
 * (none for a silent attempt) — and the operator acts once, through the operator API's code.
 */
let db: ScratchDb;
let play: { c: ConformanceCase; transport: 'http' | 'kafka'; sent: Command[]; healed: boolean } | undefined;
let orderSaga: ReturnType<typeof registerOrderSaga>;

beforeAll(async () => {
  db = await scratchDatabase('dbos_conformance', [
    { dir: fileURLToPath(new URL('../migrations', import.meta.url)), table: 'pgmigrations' },
  ]);
  const real = sagaIo({
    transport: 'http',
    pool: db.pool,
    urlFor: () => 'http://127.0.0.1:1',
    producer: undefined as never,
    topic: (t) => t,
  });
  const io: SagaIO = {
    ...real,
    async attempt(command, timeoutMs): Promise<AttemptOutput> {
      const p = play!;
      p.sent.push(command);
      const n = p.sent.filter((s) => s.messageId === command.messageId).length;
      const a = p.healed ? 'ok' : answerOf(p.c, command.type, n);
      const commandId = command.messageId;
      if (p.transport === 'kafka') {
        if (a !== 'silent') {
          const reply: InboxMessage = {
            type: 'reply',
            commandId,
            messageId: `reply:${commandId}:${n}`,
            outcome: a === 'ok' ? 'SUCCESS' : 'FAILURE',
            ...(a !== 'ok' ? { reason: a.refuse } : {}),
          };
          setTimeout(() => void DBOS.send(command.sagaId, reply, INBOX, reply.messageId), 5);
        }
        return { kind: 'sent', at: Date.now() };
      }
      if (a === 'silent') {
        await sleep(timeoutMs);
        return { kind: 'no-answer', error: `${command.type}: no answer within ${timeoutMs} ms`, at: Date.now() };
      }
      return a === 'ok'
        ? { kind: 'answer', outcome: 'SUCCESS' }
        : { kind: 'answer', outcome: 'FAILURE', reason: a.refuse };
    },
  };
  orderSaga = registerOrderSaga(io);
  DBOS.setConfig({ name: 'order-saga-test', systemDatabaseUrl: db.url, logLevel: 'error' });
  await DBOS.launch();
});
afterAll(async () => {
  await DBOS.shutdown({ deregister: true });
  await db?.drop();
});

const playOnDbos = async (c: ConformanceCase, transport: 'http' | 'kafka', id: string) => {
  play = { c, transport, sent: [], healed: false };
  const operator = dbosOperator(db.pool);
  const handle = await DBOS.startWorkflow(orderSaga, { workflowID: id })({
    orderId: id,
    customerId: 'alice',
    lines: [{ sku: 'widget', quantity: 1 }],
    totalCents: 100,
    timing: { ...CONFORMANCE_TIMING, ...c.timing },
  });
  const op = c.operator;
  if (op) {
    if (op.when === 'parked')
      await expect.poll(async () => (await operator.get(id))?.status, { timeout: 20_000 }).toBe('NEEDS_ATTENTION');
    else {
      const inFlight = op.when.inFlight;
      await expect.poll(() => play!.sent.some((s) => s.type === inFlight), { timeout: 20_000 }).toBe(true);
    }
    play.healed = op.heals === true;
    const done = await operator.operate(id, op.action, 'conformance');
    expect(done && 'outcome' in done, JSON.stringify(done)).toBe(true);
  }
  const status = await handle.getResult();
  const timeline = (await operator.get(id))!;
  return {
    status,
    reason: timeline.reason,
    commands: distinctCommands(play.sent.map((s) => ({ commandId: s.messageId, type: s.type }))),
    timeline,
  };
};

describe.each(['http', 'kafka'] as const)('the conformance table on the DBOS workflow, %s', (transport) => {
  it.each(CONFORMANCE.map((c, i) => [c.name, c, i] as const))('%s', async (_, c, i) => {
    const r = await playOnDbos(c, transport, `dbos-${transport}-${i}-${Date.now()}`);
    expect(r.commands).toEqual(c.expect.commands);
    expect(conformanceTimelineProblems(r.timeline, c)).toEqual([]);
    expect(r.status).toBe(c.expect.status);
    if (c.expect.reason) expect(r.reason).toBe(c.expect.reason);
  });
});
