import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timelineOf } from '@saga/contracts';
import {
  answerOf,
  CONFORMANCE,
  CONFORMANCE_TIMING,
  conformanceTimelineProblems,
  distinctCommands,
  type ConformanceCase,
} from '@saga/testkit/conformance';
import { OrderIdKey, SagaStatusKey, TASK_QUEUE, type CommandRequest, type CommandResult } from './shared.ts';
import { orderInput, testEnvironment } from './test-environment.ts';
import { operateUpdate, orderSaga, statusQuery } from './workflows.ts';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await testEnvironment();
});
afterAll(() => env?.teardown());

/**
 * The conformance table (issue 15) on the workflow: each attempt gets the row's answer — a reply,
 * a refusal, or no answer (the activity fails, as a step whose attempt timed out) — and the
 * operator acts once, through the `operate` update, when the row says.
 */
const playOnTemporal = async (c: ConformanceCase, id: string) => {
  const attempts = new Map<string, number>();
  const sent: CommandRequest[] = [];
  let healed = false;
  const activities = {
    sendCommand: async (req: CommandRequest): Promise<CommandResult> => {
      sent.push(req);
      const n = (attempts.get(req.commandId) ?? 0) + 1;
      attempts.set(req.commandId, n);
      const a = healed ? 'ok' : answerOf(c, req.type, n);
      if (a === 'ok') return { outcome: 'SUCCESS' };
      if (a === 'silent') throw new Error(`${req.type}: no answer within the step timeout`);
      return { outcome: 'FAILURE', reason: a.refuse };
    },
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    activities,
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(orderSaga, {
      workflowId: id,
      taskQueue: TASK_QUEUE,
      args: [orderInput(id, { ...CONFORMANCE_TIMING, ...c.timing })],
      typedSearchAttributes: [
        { key: OrderIdKey, value: id },
        { key: SagaStatusKey, value: 'RUNNING' },
      ],
    });
    const op = c.operator;
    if (op) {
      if (op.when === 'parked')
        await expect
          .poll(async () => (await handle.query(statusQuery)).status, { timeout: 20_000 })
          .toBe('NEEDS_ATTENTION');
      else
        await expect
          .poll(() => sent.some((r) => r.type === (op.when as { inFlight: string }).inFlight), { timeout: 20_000 })
          .toBe(true);
      healed = op.heals === true;
      await handle.executeUpdate(operateUpdate, { args: [op.action, 'conformance'] });
    }
    const status = await handle.result();
    const view = await handle.query(statusQuery);
    const head = {
      id,
      status,
      reason: view.reason,
      currentStep: view.step,
      createdAt: new Date(0).toISOString(),
      updatedAt: null,
      deadlineAt: null,
      nextTimerAt: null,
      coordinator: {},
    };
    return { status, reason: view.reason, commands: distinctCommands(sent), timeline: timelineOf(head, view.history) };
  });
};

describe('the conformance table on the Temporal workflow (issue 15; the custom engine runs it in conformance.unit.test.ts)', () => {
  it.each(CONFORMANCE.map((c, i) => [c.name, c, i] as const))('%s', async (_, c, i) => {
    const r = await playOnTemporal(c, `wf-conformance-${i}`);
    expect(r.commands).toEqual(c.expect.commands);
    expect(conformanceTimelineProblems(r.timeline, c)).toEqual([]);
    expect(r.status).toBe(c.expect.status);
    if (c.expect.reason) expect(r.reason).toBe(c.expect.reason);
  });
});
