import { describe, expect, it } from 'vitest';
import { runtimeOf } from './build.ts';
import { spawnService } from './processes.ts';

describe('spawnService', () => {
  it('names a bad SAGA_RUNTIME and the values it takes', () => {
    expect(() => runtimeOf({ SAGA_RUNTIME: 'deno' })).toThrow(
      'SAGA_RUNTIME="deno": expected js (compiled processes, the default) or tsx (TypeScript sources)',
    );
    expect(() => spawnService('order', { SAGA_RUNTIME: 'deno' })).toThrow(/SAGA_RUNTIME="deno"/);
    expect(runtimeOf({})).toBe('js');
  });

  it('refuses to start a compiled process that nobody checked is current (a stale build would run old code)', () => {
    expect(() => spawnService('order', {})).toThrow(
      'order: the compiled processes are not known to be current; await prepareProcesses() before spawnService()',
    );
  });
});
