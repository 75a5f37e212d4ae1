import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadStackSettings } from '@saga/stack';
import { OrderIdKey, SagaStatusKey, type OrderSagaInput } from './shared.ts';

/**
 * The SDK's test environment on the local Temporal CLI binary (never a download), with the
 * workflow's search attributes; the workflow tests mock the activities only — the e2e tests use
 * the real services.
 */
export const testEnvironment = () =>
  TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: loadStackSettings().temporalCli },
      searchAttributes: [OrderIdKey, SagaStatusKey],
    },
  });

/** A small order for the workflow, with `timing`. */
export const orderInput = (orderId: string, timing: OrderSagaInput['timing']): OrderSagaInput => ({
  orderId,
  customerId: 'c1',
  lines: [{ sku: 'A', quantity: 1 }],
  totalCents: 100,
  timing,
});
