import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds and peak resident memory of groups of processes (each group = some root pids and
 * all their descendants, e.g. PostgreSQL's postmaster and its backends), read from /proc while a
 * step runs. Linux only; elsewhere the meter measures nothing and says so.
 */
const TICKS_PER_SECOND = 100; // sysconf(_SC_CLK_TCK): 100 on every Linux architecture Node runs on
const PAGE_BYTES = 4096;

/** `ticks`: the process's own CPU; `reapedTicks`: that of its children that exited and were waited for. */
interface Proc {
  ppid: number;
  ticks: number;
  reapedTicks: number;
  rssBytes: number;
}

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
      // Fields after "(comm)": state ppid … utime(14) stime(15) cutime(16) cstime(17) … rss(24), numbered from 1 with pid.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(e), {
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]),
        reapedTicks: Number(f[13]) + Number(f[14]),
        rssBytes: Number(f[21]) * PAGE_BYTES,
      });
    } catch {
      // exited between readdir and read
    }
  }
  return out;
};

/** CPU ms each of `pids` (all its threads) has used so far, from one read of /proc; a process gone is missing. */
export const cpuMsOf = (pids: Iterable<number>): Map<number, number> => {
  const procs = readProcs();
  return new Map(
    [...pids].flatMap((pid) => {
      const p = procs.get(pid);
      return p ? [[pid, (p.ticks * 1000) / TICKS_PER_SECOND] as const] : [];
    }),
  );
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
  return Object.fromEntries(
    Object.entries(groups).map(([name, roots]) => {
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
    }),
  );
};

export interface GroupUsage {
  cpuSeconds: number;
  peakRssMiB: number;
  processes: number;
}
export type Usage = Record<string, GroupUsage>;

/**
 * What a PostgreSQL process is, from the title it sets (`/proc/<pid>/cmdline`): `backend <db>`
 * for a client's connection ("postgres: <user> <db> <host>(<port>) <state>"), else the
 * background process's own name (walwriter, checkpointer, autovacuum worker …). Undefined for a
 * process that has not set its title yet (just forked: it still reads as the postmaster's).
 */
export const postgresRole = (cmdline: string): string | undefined => {
  const title = cmdline.replaceAll('\0', ' ').trim();
  if (!title.startsWith('postgres: ')) return undefined;
  const rest = title.slice('postgres: '.length);
  const backend = /^\S+ (\S+) (\S+\(\d+\)|\[local\])/.exec(rest);
  if (backend) return `backend ${backend[1]}`;
  return rest.replace(/^autovacuum worker.*/, 'autovacuum worker').trim();
};

/** A label for `startMeter`: each PostgreSQL process by its role, the server itself as `postmaster`. */
export const postgresRoles = (group: string, pid: number, root: boolean): string | undefined => {
  if (group !== 'postgres') return undefined;
  if (root) return 'postmaster';
  try {
    return postgresRole(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return undefined;
  }
};

/**
 * Starts measuring `groups` (name → root pids, looked up again at each sample so a restarted
 * process is followed). `stop()` returns per group: CPU seconds used between start and stop
 * (processes that exited in between count up to their last sample), the peak of the group's
 * summed RSS, and the most processes seen at once. Children that came and went between two
 * samples count too, from their parent's reaped-children CPU. With `label`, `byLabel(group)` after the stop
 * splits a group's CPU seconds by what `label` first called each of its processes (asked again
 * at each sample until it answers; one never labelled counts as `other`).
 */
export const startMeter = (
  groups: () => Record<string, number[]>,
  everyMs = 250,
  label?: (group: string, pid: number, root: boolean) => string | undefined,
) => {
  /** CPU ticks each process had when the meter started; one born later (a backend, a restarted coordinator) counts from zero. */
  const baseTicks = new Map<number, number>();
  let first = true;
  const lastTicks = new Map<number, number>();
  const peak: Record<string, { rss: number; n: number }> = {};
  const members = new Map<number, string>();
  const labels = new Map<number, string>();
  const used = (pid: number) => (lastTicks.get(pid)! - baseTicks.get(pid)!) / TICKS_PER_SECOND;
  // A process that lives and exits between two samples (an autovacuum worker, a short
  // connection's backend) is never seen; its CPU lands in its parent's reaped-children counters.
  const reaped = new Map<number, { group: string; base: number; last: number }>();
  const parentOf = new Map<number, number>();
  const lastSeen = new Map<number, number>();
  let samples = 0;
  const sample = () => {
    const procs = readProcs();
    samples++;
    for (const [name, roots] of Object.entries(groups())) {
      let rss = 0;
      let own = 0;
      for (const r of roots) {
        const p = procs.get(r);
        if (!p) continue;
        const entry = reaped.get(r) ?? { group: name, base: p.reapedTicks, last: p.reapedTicks };
        entry.last = p.reapedTicks;
        reaped.set(r, entry);
      }
      const tree = processTree(procs, roots);
      for (const pid of tree) {
        const p = procs.get(pid)!;
        // A process belongs to the first group that claims it (the harness's children are the
        // services and coordinators, counted in their own groups, not again under `harness`).
        if (members.has(pid) && members.get(pid) !== name) continue;
        members.set(pid, name);
        parentOf.set(pid, p.ppid);
        lastSeen.set(pid, samples);
        if (label && !labels.has(pid)) {
          const l = label(name, pid, roots.includes(pid));
          if (l !== undefined) labels.set(pid, l);
        }
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
  let unseen: Map<string, number> | undefined;
  /** Per group, the CPU seconds of children that exited unseen: what each root reaped, less what the samples saw of its exited children. */
  const unseenByGroup = () => {
    const by = new Map<string, number>();
    for (const [root, { group, base, last }] of reaped) {
      let seen = 0;
      for (const [pid, ppid] of parentOf)
        if (ppid === root && lastSeen.get(pid)! < samples) seen += lastTicks.get(pid)!;
      by.set(group, (by.get(group) ?? 0) + Math.max(0, last - base - seen) / TICKS_PER_SECOND);
    }
    return by;
  };
  return {
    stop: (): Usage => {
      clearInterval(timer);
      sample();
      unseen = unseenByGroup();
      const out: Usage = {};
      for (const name of Object.keys(groups()))
        out[name] = {
          cpuSeconds: 0,
          peakRssMiB: Math.round((peak[name]?.rss ?? 0) / 2 ** 20),
          processes: peak[name]?.n ?? 0,
        };
      for (const [pid, name] of members) out[name]!.cpuSeconds += used(pid);
      for (const [name, sec] of unseen) if (out[name]) out[name].cpuSeconds += sec;
      for (const u of Object.values(out)) u.cpuSeconds = Math.round(u.cpuSeconds * 100) / 100;
      return out;
    },
    /** After `stop()`: CPU seconds of `group`'s processes by their label, most first (empty without `label`). */
    byLabel: (group: string): { label: string; cpuSeconds: number }[] => {
      const by = new Map<string, number>();
      for (const [pid, name] of members) {
        if (name !== group || !label) continue;
        const l = labels.get(pid) ?? 'other';
        by.set(l, (by.get(l) ?? 0) + used(pid));
      }
      if (label && unseen?.get(group)) by.set('exited between samples', unseen.get(group)!);
      return [...by]
        .map(([l, sec]) => ({ label: l, cpuSeconds: Math.round(sec * 100) / 100 }))
        .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
    },
  };
};
