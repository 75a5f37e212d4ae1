/**
 * Figures quoted in prose, generated from committed runs like the tables. In a document:
 *
 *   … every fault three times (<!-- figure: recovery-slices from 2026-12-06-engines-recovery -->75<!-- /figure --> slices) …
 *
 * `npm run adr:tables` rewrites the text between the two markers from the run's results.json;
 * `-- --check` reports a figure that drifted. A figure may join runs (`from a+b`), as a table does.
 * The names below are the only figures there are; an unknown one is an error naming them.
 */
import type { Results } from './harness/report.ts';
import { spread } from './stats.ts';
import { p50Cell, slopeCell, tailCell, type Estimate } from './evidence.ts';
import { capacityCiCell, pooledSlopes } from './harness/capacity.ts';

type Run = Results;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const range = (xs: number[]) => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
};
const thousands = (n: number) => n.toLocaleString('en-US');
const need = <T>(xs: T[] | undefined, what: string, run: Run): T[] => {
  if (!xs || xs.length === 0) throw new Error(`run ${run.runId} has no ${what} results`);
  return xs;
};
const ofMode = <T extends { mode: string }>(xs: T[] | undefined, mode: string | undefined, what: string, run: Run) => {
  const found = need(xs, what, run).filter((x) => x.mode === mode);
  if (found.length === 0) throw new Error(`run ${run.runId} has no ${what} results for mode ${String(mode)}`);
  return found;
};

/** A mode's pooled latency at a rate (runs from issue 42 on): `<mode>@<rate>`. */
const pooledAt = (r: Run, arg: string | undefined) => {
  const [mode, rate] = (arg ?? '').split('@');
  const m = ofMode(r.latency, mode, 'latency', r)[0]!;
  const p = m.pooled?.find((x) => x.rate === Number(rate));
  if (!p) throw new Error(`run ${r.runId}: mode ${String(mode)} has no pooled latency at ${String(rate)}/s`);
  return p;
};
const withEvidence = (e: Estimate) => `${p50Cell(e)} ms (n ${thousands(e.n)})`;

/** Each figure: what it says, and how it is read from a run (`arg` is what follows its name after a colon). */
export const FIGURES: Record<string, { says: string; of: (r: Run, arg?: string) => string }> = {
  cores: { says: "the run's machine's cores", of: (r) => String(r.machine.cores) },
  floor: {
    says: 'the p50 in ms of a floor of the run (`floor:kafkaChain`, `floor:httpChain`)',
    of: (r, name) => {
      const f = (r.floors as unknown as Record<string, { p50?: number }> | undefined)?.[name ?? ''];
      if (f?.p50 === undefined) throw new Error(`run ${r.runId} has no floor ${String(name)}`);
      return f.p50.toFixed(1);
    },
  },
  'capacity-limit': {
    says: 'the p99 bound in ms a capacity probe must keep',
    of: (r) =>
      String((r.settings.capacity as { p99LimitMs?: number } | undefined)?.p99LimitMs ?? r.settings.p99LimitMs),
  },
  'recovery-slices': {
    says: 'fault × mode × repetition slices of the recovery suite',
    of: (r) => String(need(r.recovery, 'recovery', r).length),
  },
  'recovery-lost': {
    says: 'sagas lost over every recovery slice',
    of: (r) => String(sum(need(r.recovery, 'recovery', r).map((x) => x.lost))),
  },
  'recovery-wrong': {
    says: 'wrong effects over every recovery slice',
    of: (r) => String(sum(need(r.recovery, 'recovery', r).map((x) => x.wrongEffects))),
  },
  'recovery-rejected': {
    says: 'happy orders rejected over every recovery slice',
    of: (r) => String(sum(need(r.recovery, 'recovery', r).map((x) => x.rejectedInsteadOfApproved))),
  },
  'chaos-modes': { says: 'modes in the chaos soaks', of: (r) => String(need(r.chaos, 'chaos', r).length) },
  'chaos-sagas': {
    says: 'sagas accepted per chaos soak (range over the soaks)',
    of: (r) => range(need(r.chaos, 'chaos', r).map((x) => x.accepted)).replace(/\d+/g, (d) => thousands(Number(d))),
  },
  'chaos-lost': {
    says: 'sagas lost over the chaos soaks',
    of: (r) => String(sum(need(r.chaos, 'chaos', r).map((x) => x.lost))),
  },
  'chaos-wrong': {
    says: 'wrong effects over the chaos soaks',
    of: (r) => String(sum(need(r.chaos, 'chaos', r).map((x) => x.wrongEffects))),
  },
  'chaos-parked': {
    says: 'sagas parked over the chaos soaks',
    of: (r) => String(sum(need(r.chaos, 'chaos', r).map((x) => x.parked))),
  },
  'chaos-rejected': {
    says: 'happy orders rejected per chaos soak (range over the soaks)',
    of: (r) => range(need(r.chaos, 'chaos', r).map((x) => x.rejectedInsteadOfApproved)),
  },
  'chaos-rejected-share': {
    says: 'the highest share of happy orders rejected in one chaos soak, in %',
    of: (r) => {
      const shares = need(r.chaos, 'chaos', r).map((x) => x.rejectedInsteadOfApproved / Math.max(1, x.accepted));
      return `${(Math.max(...shares) * 100).toFixed(2)} %`;
    },
  },
  capacity: {
    says: "a mode's capacity by search, sagas/s (median of its searches; `capacity:<mode>`)",
    of: (r, mode) => String(ofMode(r.capacity, mode, 'capacity', r)[0]!.capacity.median),
  },
  'cpu-slope': {
    says: "the system's CPU ms per extra saga of a mode, fitted over the sustained probes of all its capacity searches, with its CI and R², or why none (`cpu-slope:<mode>`)",
    of: (r, mode) => {
      // Fitted anew from the stored probes, so runs before issue 42 have one too.
      return slopeCell(pooledSlopes(ofMode(r.capacity, mode, 'capacity', r)[0]!.runs).system);
    },
  },
  'capacity-ci': {
    says: "the 95 % bootstrap CI of a mode's median capacity over its searches, or why none (`capacity-ci:<mode>`)",
    of: (r, mode) => capacityCiCell(ofMode(r.capacity, mode, 'capacity', r)[0]!.runs.map((run) => run.capacity)),
  },
  'capacity-spread': {
    says: "the lowest and highest of a mode's capacity searches and how many (`capacity-spread:<mode>`)",
    of: (r, mode) => {
      const c = ofMode(r.capacity, mode, 'capacity', r)[0]!.capacity;
      return `${range([c.min, c.max])} over ${c.n} search${c.n === 1 ? '' : 'es'}`;
    },
  },
  p50: {
    says: "a mode's latency suite p50 in ms at a rate, median of its repetitions, rounded (`p50:<mode>@<rate>`)",
    of: (r, arg) => {
      const [mode, rate] = (arg ?? '').split('@');
      const steps = ofMode(r.latency, mode, 'latency', r)[0]!.steps.filter((s) => s.rate === Number(rate));
      if (steps.length === 0)
        throw new Error(`run ${r.runId}: mode ${String(mode)} has no latency step at ${String(rate)}/s`);
      return String(Math.round(spread(steps.map((s) => s.p50)).median));
    },
  },
  decided: {
    says: "p50 [95 % CI] of order row → verdict by the services' commits, with n (`decided:<mode>@<rate>`)",
    of: (r, arg) => withEvidence(pooledAt(r, arg).decided),
  },
  done: {
    says: "p50 [95 % CI] of order row → notification (the saga's last step), with n (`done:<mode>@<rate>`)",
    of: (r, arg) => withEvidence(pooledAt(r, arg).done),
  },
  'decided-tail': {
    says: 'p99 [95 % CI] of decided, or the maximum of n below 1,000 (`decided-tail:<mode>@<rate>`)',
    of: (r, arg) => `${tailCell(pooledAt(r, arg).decided)} ms`,
  },
};

/** One figure's text: `name` or `name:arg`, from one run (or several joined). */
export const figureText = (key: string, run: Run): string => {
  const [name, arg] = [key.split(':')[0]!, key.includes(':') ? key.slice(key.indexOf(':') + 1) : undefined];
  const figure = FIGURES[name];
  if (!figure) throw new Error(`no figure "${name}"; there are: ${Object.keys(FIGURES).join(', ')}`);
  return figure.of(run, arg);
};

/** A figure's place in a text: its name, its run(s), the text between its markers. */
export const FIGURE = /<!-- figure: ([\w:@.-]+) from ([\w.+-]+) -->([\s\S]*?)<!-- \/figure -->/g;

/** A passage that must quote no number by hand: `<!-- prose: figures only -->` … `<!-- /prose -->`. */
const PROSE = /<!-- prose: figures only -->([\s\S]*?)<!-- \/prose -->/g;

/**
 * The numbers a figures-only passage writes by hand: what is left with digits once figures, code
 * spans (run ids, commands), link targets and the names that carry digits (ADR and issue numbers,
 * p50/p99, a latency step's rate "at 5/s") are taken out. Empty when every figure is generated.
 */
export const handWrittenNumbers = (text: string): string[] =>
  [...text.matchAll(PROSE)].flatMap((m) =>
    m[1]!
      .replace(FIGURE, ' ')
      .replace(/`[^`]*`/g, ' ')
      .replace(/\]\([^)]*\)/g, '] ')
      .replace(/\bADRs? \d{4}\b|\bissues? \d+\b|\bp\d{2}\b|\bat \d+\/s\b/g, ' ')
      .split(/(?<=[.;:!?])\s+|\n\s*>\s*(?:-\s+)?/)
      .filter((sentence) => /\d/.test(sentence))
      .map((sentence) => sentence.trim()),
  );

/** How many figures-only passages a text has. */
export const prosePassages = (text: string) => [...text.matchAll(PROSE)].length;
