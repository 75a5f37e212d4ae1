import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { processTree, startMeter } from './usage.ts';

describe('usage meter', () => {
  it('a process tree is the roots and every descendant, nothing else', () => {
    const p = (ppid: number) => ({ ppid, ticks: 0, rssBytes: 0 });
    const procs = new Map([[1, p(0)], [10, p(1)], [11, p(10)], [12, p(11)], [20, p(1)], [21, p(20)]]);
    expect([...processTree(procs, [10])].sort()).toEqual([10, 11, 12]);
    expect([...processTree(procs, [10, 21, 99])].sort()).toEqual([10, 11, 12, 21]);
  });

  it('counts the CPU a process burns while measured, and its resident memory', () => {
    const meter = startMeter(() => ({ self: [process.pid] }), 50);
    // Burn 300 ms of CPU (not of wall time: the machine may be busy).
    const start = process.cpuUsage();
    while ((process.cpuUsage(start).user + process.cpuUsage(start).system) / 1000 < 300) Math.sqrt(Math.random());
    const u = meter.stop();
    expect(u.self!.cpuSeconds).toBeGreaterThanOrEqual(0.2);
    expect(u.self!.cpuSeconds).toBeLessThan(5);
    expect(u.self!.peakRssMiB).toBeGreaterThan(10);
    expect(u.self!.processes).toBeGreaterThanOrEqual(1);
  });

  it("counts a child once, in the first group that names it, not again in its parent's group", async () => {
    const child = spawn(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 600) Math.sqrt(Math.random());']);
    const meter = startMeter(() => ({ child: child.pid ? [child.pid] : [], parent: [process.pid] }), 50);
    await once(child, 'exit');
    const u = meter.stop();
    expect(u.child!.cpuSeconds).toBeGreaterThanOrEqual(0.3);
    expect(u.parent!.cpuSeconds).toBeLessThan(u.child!.cpuSeconds);
  });
});
