import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { loadStackSettings } from '@saga/stack';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '@saga/postgres';
import { sagaTimeline, servers, testKafka, timelineProblems, uniqueName, type Workbench } from '@saga/testkit';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';
import { loadTemporalConfig } from './config.ts';
import { startTemporalCoordinator } from './coordinator.ts';
import { SagaStatusKey } from './shared.ts';

describe.each([
  ['kafka', 'regular'],
  ['http', 'regular'],
  ['http', 'local'],
] as const)(
  'Temporal coordinator over %s with %s activities, end to end through the real services and the dev server',
  (transport, activities) => {
    const kafka = testKafka(`temporal-e2e-${transport}-${activities}`);
    let wb: Workbench;
    let coordinator: Awaited<ReturnType<typeof startTemporalCoordinator>>;
    let env: Record<string, string>;

    beforeAll(async () => {
      wb = await workbench(kafka);
      env = orchestratorEnv(wb.env(), {
        TRANSPORT: transport,
        TEMPORAL_ACTIVITIES: activities,
        TEMPORAL_TASK_QUEUE: uniqueName('order-saga'),
      });
      coordinator = await startTemporalCoordinator(loadTemporalConfig(env));
      await wb.seedStock([
        { sku: 'widget', quantity: 10 },
        { sku: 'rare', quantity: 1 },
      ]);
      await wb.seedCustomers([
        { id: 'alice', creditLimitCents: 100_000 },
        { id: 'bob', creditLimitCents: 500 },
      ]);
    });
    afterAll(async () => {
      await coordinator.stop();
      await wb.close();
      await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_TEMPORAL_DATABASE!);
    });

    const sagaEnds = async (id: string, status: string) => {
      await expect
        .poll(
          async () => {
            const res = await fetch(`${coordinator.url}/sagas/${id}`);
            return res.status === 200 ? ((await res.json()) as { status: string }).status : 'NOT_STARTED';
          },
          { timeout: 30_000 },
        )
        .toBe(status);
      const described = await coordinator.client.workflow.getHandle(id).describe();
      expect(described.typedSearchAttributes.get(SagaStatusKey)).toBe(status);
    };

    it('happy path: approved, stock committed, one payment hold, one confirmed notification', async () => {
      const id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 2, unitPriceCents: 1_000 }]);
      await sagaEnds(id, 'COMPLETED');
      expect(await wb.effects(id)).toEqual({
        order: 'APPROVED',
        reserved: 0,
        committed: 2,
        holds: 1,
        notifications: ['confirmed'],
      });
      expect(timelineProblems((await sagaTimeline(coordinator.url, id))!, 'happy')).toEqual([]);
    });

    it('out of stock: rejected with nothing reserved or held, one rejected notification', async () => {
      const id = await wb.placeOrder('alice', [{ sku: 'rare', quantity: 5, unitPriceCents: 100 }]);
      await sagaEnds(id, 'REJECTED');
      expect(await wb.effects(id)).toEqual({
        order: 'REJECTED',
        reserved: 0,
        committed: 0,
        holds: 0,
        notifications: ['rejected'],
      });
    });

    it('payment declined: the stock is released, the order rejected, one rejected notification', async () => {
      const id = await wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 5_000 }]);
      await sagaEnds(id, 'REJECTED');
      expect(await wb.effects(id)).toEqual({
        order: 'REJECTED',
        reserved: 0,
        committed: 0,
        holds: 0,
        notifications: ['rejected'],
      });
      expect(timelineProblems((await sagaTimeline(coordinator.url, id))!, 'declined')).toEqual([]);
      expect(await wb.totals()).toEqual({ stockMismatch: 0, reservedNow: 0, heldMismatch: 0 });
    });

    it('starts nothing for a duplicate OrderCreated (workflow id = order id)', async () => {
      const id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 1, unitPriceCents: 100 }]);
      await sagaEnds(id, 'COMPLETED');
      // Resolves once the coordinator has handled the duplicate: then nothing more may have started.
      await wb.redeliverOrderCreated(id);
      const runs = [];
      for await (const w of coordinator.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push(w.runId);
      expect(runs).toHaveLength(1);
      expect(await wb.effects(id)).toMatchObject({ committed: 1, holds: 1, notifications: ['confirmed'] });
    });

    it('replays the histories of the workflows it ran without non-determinism errors', async () => {
      const histories = [];
      for await (const w of coordinator.client.workflow.list({ query: `TaskQueue = '${env.TEMPORAL_TASK_QUEUE}'` })) {
        histories.push({
          workflowId: w.workflowId,
          history: await coordinator.client.workflow.getHandle(w.workflowId, w.runId).fetchHistory(),
        });
      }
      expect(histories.length).toBeGreaterThanOrEqual(4);
      const failures = [];
      for await (const r of Worker.runReplayHistories(
        { workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)) },
        histories,
      )) {
        if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
      }
      expect(failures).toEqual([]);
      // RECORD_HISTORIES=1 keeps them as fixtures that workflows.replay.int.test.ts replays against
      // every later change of the workflow code.
      if (process.env.RECORD_HISTORIES !== '1') return;
      const dir = fileURLToPath(
        new URL(`../histories/${transport}${activities === 'local' ? '-local' : ''}`, import.meta.url),
      );
      mkdirSync(dir, { recursive: true });
      // The CLI writes the JSON form the SDK's replayer reads (the same as the Web UI's download).
      const cli = loadStackSettings().temporalCli;
      for (const [i, h] of histories.entries()) {
        const json = execFileSync(
          cli,
          [
            'workflow',
            'show',
            '--workflow-id',
            h.workflowId,
            '--address',
            servers.TEMPORAL_ADDRESS,
            '--output',
            'json',
          ],
          { encoding: 'utf8' },
        );
        writeFileSync(`${dir}/saga-${i}.json`, json);
      }
    });
  },
);
