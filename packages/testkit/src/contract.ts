import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reply, deadLetterTopic, Topics, type Command, type CommandType } from '@saga/contracts';
import type { ServiceSpec } from '@saga/service';
import { collect, createProducer, testKafka, waitFor, type Received } from './index.ts';
import { postCommand, startTestService, type TestService } from './service.ts';

export interface ContractOptions<T extends CommandType> {
  spec: ServiceSpec<T>;
  /** Seeds what a valid command needs (stock, customers, an order). */
  prepare?: (svc: TestService, sagaId: string) => Promise<void>;
  /** A command that succeeds for this saga. */
  validCommand: (sagaId: string) => Command;
  /** How many times the command's effect exists in the service's database. */
  effects: (svc: TestService, sagaId: string) => Promise<number>;
}

/**
 * What every service promises, whatever its domain: a command over Kafka acts and replies on
 * `saga.replies`; the same command over HTTP behaves the same; a duplicate acts once and gets
 * the same reply; a malformed command goes to the dead-letter topic and the next one is handled.
 */
export const describeServiceContract = <T extends CommandType>(opts: ContractOptions<T>) =>
  describe(`${opts.spec.name} service: commands over Kafka and HTTP`, () => {
    const kafka: Kafka = testKafka(`${opts.spec.name}-contract`);
    let svc: TestService;
    let producer: Producer;
    let replies: { messages: Received[]; stop(): Promise<void> };
    let dlq: { messages: Received[]; stop(): Promise<void> };
    let n = 0;
    const nextSaga = () => `${opts.spec.name}-saga-${++n}-${Date.now()}`;

    beforeAll(async () => {
      svc = await startTestService(opts.spec, kafka);
      producer = createProducer(kafka);
      await producer.connect();
      replies = await collect(kafka, [svc.prefix + Topics.sagaReplies]);
      dlq = await collect(kafka, [deadLetterTopic(svc.prefix + opts.spec.commandTopic)]);
    });
    afterAll(async () => {
      await Promise.all([replies.stop(), dlq.stop(), producer.disconnect()]);
      await svc.close();
    });

    const send = (cmd: Command) =>
      producer.send({
        topic: svc.prefix + opts.spec.commandTopic,
        messages: [{ key: cmd.sagaId, value: JSON.stringify(cmd) }],
      });
    const repliesTo = (commandId: string) =>
      replies.messages.map((m) => Reply.parse(JSON.parse(m.value!))).filter((r) => r.payload.commandId === commandId);

    it('acts on a command from Kafka and replies SUCCESS on saga.replies, keyed by saga id', async () => {
      const saga = nextSaga();
      await opts.prepare?.(svc, saga);
      const cmd = opts.validCommand(saga);
      await send(cmd);
      await waitFor('the reply', () => repliesTo(cmd.messageId).length === 1);
      const [reply] = repliesTo(cmd.messageId);
      expect(reply!.sagaId).toBe(saga);
      expect(reply!.payload).toMatchObject({ outcome: 'SUCCESS', commandType: cmd.type });
      expect(replies.messages.find((m) => m.headers['message-id'] === reply!.messageId)?.key).toBe(saga);
      expect(await opts.effects(svc, saga)).toBe(1);
    });

    it('does the same for the command over HTTP, with the reply as the response', async () => {
      const saga = nextSaga();
      await opts.prepare?.(svc, saga);
      const cmd = opts.validCommand(saga);
      const res = await postCommand(svc.url, cmd);
      expect(res.status).toBe(200);
      expect(res.body.payload).toMatchObject({ outcome: 'SUCCESS', commandId: cmd.messageId, commandType: cmd.type });
      expect(await opts.effects(svc, saga)).toBe(1);
    });

    it('acts once on a duplicate command and gives the same reply (Kafka and HTTP)', async () => {
      const saga = nextSaga();
      await opts.prepare?.(svc, saga);
      const cmd = opts.validCommand(saga);
      await send(cmd);
      await send(cmd);
      await waitFor('two replies', () => repliesTo(cmd.messageId).length === 2);
      const [first, second] = repliesTo(cmd.messageId);
      expect(second).toEqual(first);
      const overHttp = await postCommand(svc.url, cmd);
      expect(overHttp.body).toEqual(first);
      expect(await opts.effects(svc, saga)).toBe(1);
    });

    it('dead-letters a malformed command with its reason and handles the next one', async () => {
      const saga = nextSaga();
      await opts.prepare?.(svc, saga);
      const before = dlq.messages.length;
      await producer.send({
        topic: svc.prefix + opts.spec.commandTopic,
        messages: [
          { key: saga, value: '{"type": "Res' },
          { key: saga, value: JSON.stringify({ ...opts.validCommand(saga), type: 'ShipOrder' }) },
          { key: saga, value: JSON.stringify({ ...opts.validCommand(saga), sagaId: '' }) },
        ],
      });
      const good = opts.validCommand(saga);
      await send(good);
      await waitFor('three dead letters', () => dlq.messages.length === before + 3);
      await waitFor('the good command', () => repliesTo(good.messageId).length === 1);
      const reasons = dlq.messages.slice(before).map((m) => m.headers['x-dlq-reason']);
      expect(reasons[0]).toMatch(/^invalid JSON/);
      expect(reasons[1]).toMatch(/^schema violation: type/);
      expect(reasons[2]).toMatch(/^schema violation: sagaId/);
      expect(await opts.effects(svc, saga)).toBe(1);
    });

    it('answers a malformed command over HTTP with 400 and every problem, and writes nothing', async () => {
      const saga = nextSaga();
      await opts.prepare?.(svc, saga);
      const { type, ...valid } = opts.validCommand(saga);
      const res = await fetch(`${svc.url}/commands/${type}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...valid, messageId: '', payload: {} }),
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; details: { path: string }[] };
      expect(body.details.map((d) => d.path)).toContain('messageId');
      expect(body.details.length).toBeGreaterThanOrEqual(2);
      expect(await opts.effects(svc, saga)).toBe(0);
    });
  });
