import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds and peak resident memory of groups of processes (each group = some root pids and
 * all their descendants, e.g. PostgreSQL's postmaster and its backends), read from /proc while a
 * step runs. Linux only; elsewhere the meter measures nothing and says so.
 */
const TICKS_PER_SECOND = 100; // sysconf(_SC_CLK_TCK): 100 on every Linux architecture Node runs on
const PAGE_BYTES = 4096;

interface Proc { ppid: number; ticks: number; rssBytes: number }

const readProcs = (): Map<number, Proc> => {
  const out = new Map<number, Proc>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after "(comm)": state ppid … utime(14) stime(15) … rss(24), numbered from 1 with pid.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(e), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), rssBytes: Number(f[21]) * PAGE_BYTES });
    } catch {
      // exited between readdir and read
    }
  }
  return out;
};

/** CPU ms each of `pids` (all its threads) has used so far, from one read of /proc; a process gone is missing. */
export const cpuMsOf = (pids: Iterable<number>): Map<number, number> => {
  const procs = readProcs();
  return new Map([...pids].flatMap((pid) => {
    const p = procs.get(pid);
    return p ? [[pid, (p.ticks * 1000) / TICKS_PER_SECOND] as const] : [];
  }));
};

/**
 * The whole machine's CPU: `sample()` now, `busyShare(a, b)` the share of all cores' time that was
 * busy (not idle or iowait) between two samples — 1 means every core was saturated.
 */
export const machineCpu = {
  sample: (): { busy: number; total: number } => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
      const total = f.reduce((a, b) => a + b, 0);
      return { busy: total - f[3]! - f[4]!, total };
    } catch {
      return { busy: 0, total: 0 };
    }
  },
  busyShare: (a: { busy: number; total: number }, b: { busy: number; total: number }): number | null =>
    b.total > a.total ? Math.round((100 * (b.busy - a.busy)) / (b.total - a.total)) / 100 : null,
};

/** The pids of `roots` and every descendant. */
export const processTree = (procs: Map<number, Proc>, roots: number[]) => {
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const seen = new Set<number>();
  const stack = roots.filter((r) => procs.has(r));
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return seen;
};

/**
 * Proportional set size per group (roots and descendants), MiB: each shared page counted once,
 * split among the processes that map it — unlike summed RSS, which counts PostgreSQL's shared
 * buffers once per backend. From /proc/<pid>/smaps_rollup; a process gone or unreadable adds 0.
 */
export const pssMiBOf = (groups: Record<string, number[]>): Record<string, number> => {
  const procs = readProcs();
  const claimed = new Set<number>();
  return Object.fromEntries(Object.entries(groups).map(([name, roots]) => {
    let kb = 0;
    for (const pid of processTree(procs, roots)) {
      if (claimed.has(pid)) continue; // the first group that claims a process has it, as in the meter
      claimed.add(pid);
      try {
        const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
        kb += m ? Number(m[1]) : 0;
      } catch {
        // exited, or not ours to read
      }
    }
    return [name, Math.round(kb / 1024)];
  }));
};

export interface GroupUsage { cpuSeconds: number; peakRssMiB: number; processes: number }
export type Usage = Record<string, GroupUsage>;

/**
 * Starts measuring `groups` (name → root pids, looked up again at each sample so a restarted
 * process is followed). `stop()` returns per group: CPU seconds used between start and stop
 * (processes that exited in between count up to their last sample), the peak of the group's
 * summed RSS, and the most processes seen at once.
 */
export const startMeter = (groups: () => Record<string, number[]>, everyMs = 250) => {
  /** CPU ticks each process had when the meter started; one born later (a backend, a restarted coordinator) counts from zero. */
  const baseTicks = new Map<number, number>();
  let first = true;
  const lastTicks = new Map<number, number>();
  const peak: Record<string, { rss: number; n: number }> = {};
  const members = new Map<number, string>();
  const sample = () => {
    const procs = readProcs();
    for (const [name, roots] of Object.entries(groups())) {
      let rss = 0;
      let own = 0;
      const tree = processTree(procs, roots);
      for (const pid of tree) {
        const p = procs.get(pid)!;
        // A process belongs to the first group that claims it (the harness's children are the
        // services and coordinators, counted in their own groups, not again under `harness`).
        if (members.has(pid) && members.get(pid) !== name) continue;
        members.set(pid, name);
        if (!baseTicks.has(pid)) baseTicks.set(pid, first ? p.ticks : 0);
        lastTicks.set(pid, p.ticks);
        rss += p.rssBytes;
        own++;
      }
      const pk = (peak[name] ??= { rss: 0, n: 0 });
      pk.rss = Math.max(pk.rss, rss);
      pk.n = Math.max(pk.n, own);
    }
  };
  sample();
  first = false;
  const timer = setInterval(sample, everyMs);
  return {
    stop: (): Usage => {
      clearInterval(timer);
      sample();
      const out: Usage = {};
      for (const name of Object.keys(groups())) out[name] = { cpuSeconds: 0, peakRssMiB: Math.round((peak[name]?.rss ?? 0) / 2 ** 20), processes: peak[name]?.n ?? 0 };
      for (const [pid, name] of members) {
        const used = (lastTicks.get(pid)! - baseTicks.get(pid)!) / TICKS_PER_SECOND;
        out[name]!.cpuSeconds = Math.round((out[name]!.cpuSeconds + used) * 100) / 100;
      }
      return out;
    },
  };
};
