import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStackSettings } from '@saga/stack';
import { OrderIdKey, SagaStatusKey, TASK_QUEUE, type CommandRequest, type CommandResult, type OrderSagaInput } from './shared.ts';
import { orderSaga, resolveSignal, retrySignal, statusQuery } from './workflows.ts';

// The SDK's test environment on the local Temporal CLI binary (never a download); activities
// are mocked here only — the e2e tests use the real services.
const settings = loadStackSettings();
const temporalBin = settings.temporalCli;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalBin }, searchAttributes: [OrderIdKey, SagaStatusKey] },
  });
});
afterAll(() => env?.teardown());

const timing = { stepTimeoutMs: 2_000, stepAttempts: 3, compensationAttempts: 5, deadlineMs: 30_000 };
const input = (orderId: string): OrderSagaInput => ({ orderId, customerId: 'c1', lines: [{ sku: 'A', quantity: 1 }], totalCents: 100, timing });

/** Activities that answer from a script: SUCCESS unless told otherwise; every call recorded. */
const scripted = (answers: Partial<Record<string, CommandResult | (() => CommandResult)>> = {}) => {
  const calls: CommandRequest[] = [];
  return {
    calls,
    activities: {
      sendCommand: async (req: CommandRequest): Promise<CommandResult> => {
        calls.push(req);
        const a = answers[req.type];
        const result = typeof a === 'function' ? a() : a;
        if (result === undefined) return { outcome: 'SUCCESS' };
        return result;
      },
    },
  };
};

const run = async (id: string, activities: ReturnType<typeof scripted>['activities'], during?: (handle: Awaited<ReturnType<typeof env.client.workflow.start>>) => Promise<void>) => {
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
      args: [input(id)],
      typedSearchAttributes: [{ key: OrderIdKey, value: id }, { key: SagaStatusKey, value: 'RUNNING' }],
    });
    await during?.(handle);
    return handle.result();
  });
};

describe('order saga workflow (test environment, mocked activities)', () => {
  it('happy path: every step in order, then COMPLETED', async () => {
    const s = scripted();
    expect(await run('wf-happy', s.activities)).toBe('COMPLETED');
    expect(s.calls.map((c) => c.type)).toEqual(['ReserveStock', 'AuthorizePayment', 'ApproveOrder', 'CommitStock', 'SendNotification']);
    expect(s.calls[0]!.commandId).toBe('wf-happy:reserveStock');
  });

  it('out of stock: nothing to undo, order rejected, customer told', async () => {
    const s = scripted({ ReserveStock: { outcome: 'FAILURE', reason: 'OUT_OF_STOCK' } });
    expect(await run('wf-oos', s.activities)).toBe('REJECTED');
    expect(s.calls.map((c) => c.type)).toEqual(['ReserveStock', 'RejectOrder', 'SendNotification']);
    expect(s.calls[1]!.payload).toMatchObject({ reason: 'OUT_OF_STOCK' });
    expect(s.calls[2]!.payload).toMatchObject({ kind: 'rejected' });
  });

  it('payment declined: stock released, order rejected', async () => {
    const s = scripted({ AuthorizePayment: { outcome: 'FAILURE', reason: 'INSUFFICIENT_CREDIT' } });
    expect(await run('wf-declined', s.activities)).toBe('REJECTED');
    expect(s.calls.map((c) => c.type)).toEqual(['ReserveStock', 'AuthorizePayment', 'ReleaseStock', 'RejectOrder', 'SendNotification']);
  });

  it('a compensation that keeps failing: NEEDS_ATTENTION (query and search attribute) until an operator retries', async () => {
    let releaseWorks = false;
    const s = scripted({
      AuthorizePayment: { outcome: 'FAILURE', reason: 'INSUFFICIENT_CREDIT' },
      ReleaseStock: () => {
        if (!releaseWorks) throw new Error('inventory down');
        return { outcome: 'SUCCESS' };
      },
    });
    const result = await run('wf-attention', s.activities, async (handle) => {
      await expect.poll(async () => (await handle.query(statusQuery)).status, { timeout: 20_000 }).toBe('NEEDS_ATTENTION');
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(SagaStatusKey)).toBe('NEEDS_ATTENTION');
      releaseWorks = true;
      await handle.signal(retrySignal, 'inventory is back');
    });
    expect(result).toBe('REJECTED');
    expect(s.calls.filter((c) => c.type === 'ReleaseStock').length).toBeGreaterThan(3);
    expect(s.calls.map((c) => c.type).slice(-2)).toEqual(['RejectOrder', 'SendNotification']);
  });

  it('a compensation silent past a step\'s budget still finishes: its own budget applies, nothing parks', async () => {
    let releases = 0;
    const s = scripted({
      AuthorizePayment: { outcome: 'FAILURE', reason: 'INSUFFICIENT_CREDIT' },
      ReleaseStock: () => {
        if (++releases <= timing.stepAttempts) throw new Error('no reply within the attempt');
        return { outcome: 'SUCCESS' };
      },
    });
    const result = await run('wf-patient', s.activities, async (handle) => {
      // Without its own budget the compensation would park after the step's 3 and wait for an operator.
      await expect.poll(async () => ['REJECTED', 'NEEDS_ATTENTION'].includes((await handle.query(statusQuery)).status), { timeout: 20_000 }).toBe(true);
      expect((await handle.query(statusQuery)).status).toBe('REJECTED');
    });
    expect(result).toBe('REJECTED');
    expect(s.calls.filter((c) => c.type === 'ReleaseStock')).toHaveLength(timing.stepAttempts + 1);
  });

  it('an operator can resolve a NEEDS_ATTENTION saga instead', async () => {
    const s = scripted({
      AuthorizePayment: { outcome: 'FAILURE', reason: 'INSUFFICIENT_CREDIT' },
      ReleaseStock: () => {
        throw new Error('inventory down');
      },
    });
    const result = await run('wf-resolve', s.activities, async (handle) => {
      await expect.poll(async () => (await handle.query(statusQuery)).status, { timeout: 20_000 }).toBe('NEEDS_ATTENTION');
      await handle.signal(resolveSignal, 'released by hand');
    });
    expect(result).toBe('RESOLVED');
    expect(s.calls.map((c) => c.type)).not.toContain('RejectOrder');
  });
});
