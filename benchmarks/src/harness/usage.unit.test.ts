import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { postgresRole, processTree, startMeter } from './usage.ts';

describe('usage meter', () => {
  it('a process tree is the roots and every descendant, nothing else', () => {
    const p = (ppid: number) => ({ ppid, ticks: 0, reapedTicks: 0, rssBytes: 0 });
    const procs = new Map([
      [1, p(0)],
      [10, p(1)],
      [11, p(10)],
      [12, p(11)],
      [20, p(1)],
      [21, p(20)],
    ]);
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
    const child = spawn(process.execPath, [
      '-e',
      'const t = Date.now(); while (Date.now() - t < 600) Math.sqrt(Math.random());',
    ]);
    const meter = startMeter(() => ({ child: child.pid ? [child.pid] : [], parent: [process.pid] }), 50);
    await once(child, 'exit');
    const u = meter.stop();
    expect(u.child!.cpuSeconds).toBeGreaterThanOrEqual(0.3);
    expect(u.parent!.cpuSeconds).toBeLessThan(u.child!.cpuSeconds);
  });

  it('counts a child that started and exited between two samples, from what its parent reaped', async () => {
    const meter = startMeter(
      () => ({ self: [process.pid] }),
      60_000,
      (_g, _pid, root) => (root ? 'self' : 'child'),
    );
    const child = spawn(process.execPath, [
      '-e',
      'const t = process.cpuUsage(); while (process.cpuUsage(t).user + process.cpuUsage(t).system < 400_000) Math.sqrt(Math.random());',
    ]);
    await once(child, 'exit');
    await new Promise((r) => setTimeout(r, 50)); // the exit reaped
    const u = meter.stop();
    expect(u.self!.cpuSeconds).toBeGreaterThanOrEqual(0.3);
    expect(u.self!.cpuSeconds).toBeLessThan(5);
    const unseen = meter.byLabel('self').find((x) => x.label === 'exited between samples');
    expect(unseen?.cpuSeconds).toBeGreaterThanOrEqual(0.3);
  });

  it("names PostgreSQL's processes by role, from the titles they set", () => {
    const t = (...words: string[]) => words.join('\0') + '\0';
    expect(postgresRole('postgres: postgres orders 127.0.0.1(51234) idle\0\0')).toBe('backend orders');
    expect(postgresRole('postgres: postgres temporal_pg [local] UPDATE waiting')).toBe('backend temporal_pg');
    expect(postgresRole('postgres: walwriter ')).toBe('walwriter');
    expect(postgresRole('postgres: autovacuum worker inventory')).toBe('autovacuum worker');
    expect(postgresRole('postgres: logical replication launcher ')).toBe('logical replication launcher');
    // Just forked: still the postmaster's command line.
    expect(postgresRole(t('/usr/lib/postgresql/15/bin/postgres', '-D', '/var/tmp/data', '-p', '5432'))).toBeUndefined();
  });
});
