import { describe, expect, it } from 'vitest';
import { createFaults, TransientFault } from './faults.ts';
import { loadServiceOptions } from './runtime.ts';

describe('loadServiceOptions', () => {
  it('reads the service-specific port and database with defaults', () => {
    expect(loadServiceOptions('payment', { port: 3003, database: 'payments' }, {})).toMatchObject({
      port: 3003,
      database: 'payments',
      adminToken: 'workbench-admin',
    });
    expect(
      loadServiceOptions(
        'payment',
        { port: 3003, database: 'payments' },
        { PAYMENT_PORT: '4000', PAYMENT_DATABASE: 'p2' },
      ),
    ).toMatchObject({ port: 4000, database: 'p2' });
  });
  it('stops start-up naming the bad setting', () => {
    expect(() =>
      loadServiceOptions('payment', { port: 3003, database: 'payments' }, { PAYMENT_PORT: 'http', LOG_LEVEL: 'loud' }),
    ).toThrow(/PAYMENT_PORT="http"[\s\S]*LOG_LEVEL="loud".*fatal, error, warn, info/);
  });
});

describe('fault injection', () => {
  it('refuses at the configured rate and counts refusals', async () => {
    const rolls = [0.1, 0.9, 0.4, 0.6];
    const faults = createFaults(() => rolls.shift()!);
    faults.set({ failureRate: 0.5 });
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => faults.beforeCommand()));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(TransientFault);
    expect(faults.refused()).toBe(2);
  });
  it('calls the crash hook when the switch is on', async () => {
    let crashed = 0;
    const faults = createFaults(Math.random, () => void crashed++);
    await faults.beforeCommand();
    faults.set({ crash: true });
    await faults.beforeCommand();
    expect(crashed).toBe(1);
  });
  it('rejects settings out of range', () => {
    expect(() => createFaults().set({ failureRate: 1.5 })).toThrow();
  });
});
