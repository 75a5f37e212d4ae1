import { describe, expect, it } from 'vitest';
import { placeOf, profileFileOf, summarise, type CpuProfile } from './profile.ts';

const frame = (id: number, functionName: string, url = '', lineNumber = 0) => ({
  id,
  callFrame: { functionName, url, lineNumber },
});
// Five nodes; samples every 1,000 µs from t = 10,000 µs.
const profile: CpuProfile = {
  nodes: [
    frame(1, '(root)'),
    frame(2, '(idle)'),
    frame(3, 'writev', 'node:net', 100),
    frame(4, 'query', 'file:///work/main/node_modules/pg/lib/client.js', 41),
    frame(5, 'transition', 'file:///work/main/dist/processes/custom.mjs', 9),
    frame(6, '(garbage collector)'),
  ],
  startTime: 10_000,
  endTime: 20_000,
  samples: [2, 3, 3, 4, 5, 5, 5, 6, 2, 3],
  timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000],
};

describe('CPU profile summary', () => {
  it('self time per function and place, idle left out', () => {
    const s = summarise(profile);
    expect(s.busyMs).toBe(8);
    expect(s.byPlace).toEqual([
      { place: 'node:net', ms: 3 },
      { place: 'ours', ms: 3 },
      { place: 'gc', ms: 1 },
      { place: 'pg', ms: 1 },
    ]);
    expect(s.top[0]).toEqual({ fn: 'transition', place: 'ours', at: 'dist/processes/custom.mjs:10', ms: 3 });
    expect(s.top.find((f) => f.fn === 'query')).toEqual({
      fn: 'query',
      place: 'pg',
      at: 'node_modules/pg/lib/client.js:42',
      ms: 1,
    });
  });

  it('counts only the samples inside the window', () => {
    // Sample times are 11,000 … 20,000 µs: the window keeps the 4th to the 7th (14,000–17,000).
    const s = summarise(profile, [14_000, 17_000]);
    expect(s.busyMs).toBe(4);
    expect(s.byPlace).toEqual([
      { place: 'ours', ms: 3 },
      { place: 'pg', ms: 1 },
    ]);
  });

  it('names the place of a frame: our code, a package (scoped too), a Node module, native', () => {
    expect(placeOf('f', 'file:///x/node_modules/@temporalio/worker/lib/worker.js')).toBe('@temporalio/worker');
    expect(placeOf('f', 'file:///x/node_modules/kafkajs/src/index.js')).toBe('kafkajs');
    expect(placeOf('f', 'node:internal/streams/writable')).toBe('node:internal/streams');
    expect(placeOf('f', 'node:internal/deps/undici/undici')).toBe('node:undici');
    expect(placeOf('f', 'node:net')).toBe('node:net');
    expect(placeOf('(program)', '')).toBe('native');
    expect(placeOf('f', 'file:///work/main/services/order/src/service.ts')).toBe('ours');
  });

  it('reads pid and thread from the file name Node gives a profile', () => {
    expect(profileFileOf('CPU.20261201.114511.4242.0.001.cpuprofile')).toEqual({ pid: 4242, thread: 0 });
    expect(profileFileOf('notes.txt')).toBeUndefined();
  });
});
