import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from '../stats.ts';

/** The parts of a V8 `.cpuprofile` (Node's `--cpu-prof`) that a summary needs. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  /** Microseconds on the monotonic clock (the same clock as `process.hrtime` on Linux). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time spent running (not idle) inside the window, ms. */
  busyMs: number;
  /** Busy time by where the code lives: `ours`, a package name, `node:<module>`, `gc`, `native`. */
  byPlace: { place: string; ms: number }[];
  /** The functions with the most self time. */
  top: { fn: string; place: string; at: string; ms: number }[];
}

/** Where a frame's code lives, from its script URL. */
export const placeOf = (functionName: string, url: string): string => {
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)' || (!url && functionName.startsWith('('))) return 'native';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  // Node's bundled libraries by name (its fetch is node:internal/deps/undici), its own modules by area.
  const dep = /^node:internal\/deps\/([^/]+)/.exec(url);
  if (dep) return `node:${dep[1]!}`;
  if (url.startsWith('node:internal/')) return url.split('/').slice(0, 2).join('/');
  if (url.startsWith('node:')) return url.split('/')[0]!;
  if (!url) return 'native';
  return 'ours';
};

/**
 * Self time per function and per place, counting only the samples whose time falls inside
 * `window` ([from, to] in µs of the monotonic clock; the whole profile without one). A sample's
 * duration is its time delta.
 */
export const summarise = (p: CpuProfile, window?: [number, number], topN = 10): ProfileSummary => {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (window && (t < window[0] || t > window[1])) continue;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  const fns = new Map<string, { fn: string; place: string; at: string; us: number }>();
  const places = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const place = placeOf(functionName, url);
    places.set(place, (places.get(place) ?? 0) + us);
    const at = url
      ? `${url.replace(/^file:\/\/.*?\/(node_modules|dist|packages|services|orchestrators)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName}@${at}`;
    const f = fns.get(key) ?? { fn: functionName || '(anonymous)', place, at, us: 0 };
    f.us += us;
    fns.set(key, f);
  }
  const ms = (us: number) => round(us / 1000);
  return {
    busyMs: ms(busy),
    byPlace: [...places]
      .map(([place, us]) => ({ place, ms: ms(us) }))
      .sort((a, b) => b.ms - a.ms || a.place.localeCompare(b.place)),
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us || a.fn.localeCompare(b.fn))
      .slice(0, topN)
      .map(({ us, ...f }) => ({ ...f, ms: ms(us) })),
  };
};

/** Now on the clock the profiles use (µs). */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** `CPU.<date>.<time>.<pid>.<tid>.<n>.cpuprofile` (Node's default name for `--cpu-prof`) → pid and thread. */
export const profileFileOf = (file: string) => {
  const m = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(file);
  return m ? { pid: Number(m[1]), thread: Number(m[2]) } : undefined;
};

/** The profiles a directory holds, each with the pid that wrote it. */
export const readProfiles = (dir: string) => {
  mkdirSync(dir, { recursive: true });
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .flatMap((f) => {
      const id = profileFileOf(f);
      return id ? [{ file: f, ...id, profile: JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile }] : [];
    });
};
