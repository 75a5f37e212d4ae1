import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderInput, testEnvironment } from './test-environment.ts';
import { OrderIdKey, SagaStatusKey, TASK_QUEUE, type CommandRequest, type CommandResult } from './shared.ts';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { operateUpdate, orderSaga, resolveSignal, retrySignal, statusQuery } from './workflows.ts';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await testEnvironment();
});
afterAll(() => env?.teardown());

const timing = { stepTimeoutMs: 2_000, stepAttempts: 3, compensationAttempts: 5, deadlineMs: 30_000 };
const input = (orderId: string) => orderInput(orderId, timing);

/** Activities that answer from a script: SUCCESS unless told otherwise; every call recorded. */
const scripted = (
  answers: Partial<Record<string, CommandResult | (() => CommandResult | Promise<CommandResult>)>> = {},
) => {
  const calls: CommandRequest[] = [];
  return {
    calls,
    activities: {
      sendCommand: async (req: CommandRequest): Promise<CommandResult> => {
        calls.push(req);
        const a = answers[req.type];
        const result = typeof a === 'function' ? await a() : a;
        if (result === undefined) return { outcome: 'SUCCESS' };
        return result;
      },
    },
  };
};

/** Payment declined, then ReleaseStock fails until `heal()`: the saga parks as NEEDS_ATTENTION. */
const releaseFailsUntilHealed = () => {
  let releaseWorks = false;
  const s = scripted({
    AuthorizePayment: { outcome: 'FAILURE', reason: 'INSUFFICIENT_CREDIT' },
    ReleaseStock: () => {
      if (!releaseWorks) throw new Error('inventory down');
      return { outcome: 'SUCCESS' };
    },
  });
  return { s, heal: () => void (releaseWorks = true) };
};

const run = async (
  id: string,
  activities: ReturnType<typeof scripted>['activities'],
  during?: (handle: Awaited<ReturnType<typeof env.client.workflow.start>>) => Promise<void>,
) => {
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
      typedSearchAttributes: [
        { key: OrderIdKey, value: id },
        { key: SagaStatusKey, value: 'RUNNING' },
      ],
    });
    await during?.(handle);
    return handle.result();
  });
};

describe('order saga workflow (test environment, mocked activities)', () => {
  it('happy path: every step in order, then COMPLETED', async () => {
    const s = scripted();
    expect(await run('wf-happy', s.activities)).toBe('COMPLETED');
    expect(s.calls.map((c) => c.type)).toEqual([
      'ReserveStock',
      'AuthorizePayment',
      'ApproveOrder',
      'CommitStock',
      'SendNotification',
    ]);
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
    expect(s.calls.map((c) => c.type)).toEqual([
      'ReserveStock',
      'AuthorizePayment',
      'ReleaseStock',
      'RejectOrder',
      'SendNotification',
    ]);
  });

  it('a compensation that keeps failing: NEEDS_ATTENTION (query and search attribute) until an operator retries', async () => {
    const { s, heal } = releaseFailsUntilHealed();
    const result = await run('wf-attention', s.activities, async (handle) => {
      await expect
        .poll(async () => (await handle.query(statusQuery)).status, { timeout: 20_000 })
        .toBe('NEEDS_ATTENTION');
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(SagaStatusKey)).toBe('NEEDS_ATTENTION');
      heal();
      await handle.signal(retrySignal, 'inventory is back');
    });
    expect(result).toBe('REJECTED');
    expect(s.calls.filter((c) => c.type === 'ReleaseStock').length).toBeGreaterThan(3);
    expect(s.calls.map((c) => c.type).slice(-2)).toEqual(['RejectOrder', 'SendNotification']);
  });

  it("a compensation silent past a step's budget still finishes: its own budget applies, nothing parks", async () => {
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
      await expect
        .poll(async () => ['REJECTED', 'NEEDS_ATTENTION'].includes((await handle.query(statusQuery)).status), {
          timeout: 20_000,
        })
        .toBe(true);
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
      await expect
        .poll(async () => (await handle.query(statusQuery)).status, { timeout: 20_000 })
        .toBe('NEEDS_ATTENTION');
      await handle.signal(resolveSignal, 'released by hand');
    });
    expect(result).toBe('RESOLVED');
    expect(s.calls.map((c) => c.type)).not.toContain('RejectOrder');
  });

  it("an operator's compensate before the pivot cancels the step in flight and undoes it too (the operate update)", async () => {
    const s = scripted({
      AuthorizePayment: () => new Promise((r) => setTimeout(() => r({ outcome: 'SUCCESS' }), 1_500)),
    });
    let taken: { status: string } | undefined;
    const result = await run('wf-op-compensate', s.activities, async (handle) => {
      await expect.poll(() => s.calls.some((c) => c.type === 'AuthorizePayment'), { timeout: 10_000 }).toBe(true);
      taken = await handle.executeUpdate(operateUpdate, { args: ['compensate', 'customer cancelled by phone'] });
    });
    expect(taken?.status).toBe('COMPENSATING');
    expect(result).toBe('REJECTED');
    // The payment in flight may have acted: voided, then the stock released, in reverse.
    expect(s.calls.map((c) => c.type)).toEqual([
      'ReserveStock',
      'AuthorizePayment',
      'VoidPayment',
      'ReleaseStock',
      'RejectOrder',
      'SendNotification',
    ]);
    expect(s.calls.find((c) => c.type === 'RejectOrder')!.payload).toMatchObject({ reason: 'OPERATOR_COMPENSATED' });
  });

  it('the operate update refuses what does not fit — resolve or retry a running saga, compensate past the pivot — and nothing changes', async () => {
    const slow = (): Promise<CommandResult> => new Promise((r) => setTimeout(() => r({ outcome: 'SUCCESS' }), 1_500));
    const s = scripted({ AuthorizePayment: slow, ApproveOrder: slow });
    const refusal = (
      handle: Parameters<NonNullable<Parameters<typeof run>[2]>>[0],
      action: 'retry' | 'compensate' | 'resolve',
    ) =>
      handle.executeUpdate(operateUpdate, { args: [action] }).then(
        () => 'taken',
        (err: unknown) =>
          err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : `unexpected: ${String(err)}`,
      );
    const result = await run('wf-op-refused', s.activities, async (handle) => {
      await expect.poll(() => s.calls.some((c) => c.type === 'AuthorizePayment'), { timeout: 10_000 }).toBe(true);
      expect(await refusal(handle, 'resolve')).toBe('only a NEEDS_ATTENTION saga can be resolved; this one is RUNNING');
      expect(await refusal(handle, 'retry')).toMatch(/^cannot retry a saga that is RUNNING/);
      await expect.poll(() => s.calls.some((c) => c.type === 'ApproveOrder'), { timeout: 10_000 }).toBe(true);
      expect(await refusal(handle, 'compensate')).toBe(
        'cannot compensate a saga that is RUNNING and past its pivot (it only goes forward)',
      );
    });
    expect(result).toBe('COMPLETED');
    expect(s.calls.map((c) => c.type)).toEqual([
      'ReserveStock',
      'AuthorizePayment',
      'ApproveOrder',
      'CommitStock',
      'SendNotification',
    ]);
  });

  it('operate retry takes a parked saga back to COMPENSATING with a fresh budget', async () => {
    const { s, heal } = releaseFailsUntilHealed();
    let taken: { status: string } | undefined;
    const result = await run('wf-op-retry', s.activities, async (handle) => {
      await expect
        .poll(async () => (await handle.query(statusQuery)).status, { timeout: 20_000 })
        .toBe('NEEDS_ATTENTION');
      heal();
      taken = await handle.executeUpdate(operateUpdate, { args: ['retry', 'inventory is back'] });
    });
    expect(taken?.status).not.toBe('NEEDS_ATTENTION');
    expect(result).toBe('REJECTED');
    expect(s.calls.map((c) => c.type).slice(-3)).toEqual(['ReleaseStock', 'RejectOrder', 'SendNotification']);
  });
});
