import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { repetitions, spread } from '../stats.ts';
import type { Results } from './report.ts';

/** The run's figures for the charts and tables: latency steps by rate over their repetitions. */
type LatencySteps = NonNullable<Results['latency']>[number]['steps'];
/** The middle of repeated measurements: the one value itself when there is one (so a run without repetitions prints as it always did). */
export const mid = (xs: number[]) => (xs.length === 1 ? xs[0]! : spread(xs).median);
/** One mode's latency steps grouped by rate, each rate's repetitions with their p50, p99 and completed/s. */
export const latencyByRate = (steps: LatencySteps) =>
  [...new Set(steps.map((s) => s.rate))]
    .sort((a, b) => a - b)
    .map((rate) => {
      const at = steps.filter((s) => s.rate === rate);
      const p50 = repetitions(at.map((s) => s.p50));
      return {
        rate,
        steps: at,
        n: at.length,
        sagas: at.reduce((n, s) => n + s.count, 0),
        errors: at.reduce((n, s) => n + s.errors + s.notTerminal, 0),
        p50s: at.map((s) => s.p50),
        p99s: at.map((s) => s.p99),
        throughputs: at.map((s) => s.throughput),
        apart: p50.apart,
        unsteady: p50.unsteady,
      };
    });

/** An SVG from a Vega-Lite spec, rendered headless (no browser, no canvas). */
export const svg = async (spec: TopLevelSpec) =>
  new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' }).toSVG();

export const charts = (r: Results): Record<string, TopLevelSpec> => {
  const out: Record<string, TopLevelSpec> = {};
  const lat = (r.latency ?? []).flatMap((m) =>
    latencyByRate(m.steps).flatMap((x) =>
      (['p50', 'p99'] as const).map((p) => ({
        mode: m.mode,
        rate: x.rate,
        percentile: p,
        ms: mid(p === 'p50' ? x.p50s : x.p99s),
        throughput: mid(x.throughputs),
      })),
    ),
  );
  if (lat.length) {
    out['latency-percentiles'] = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'End-to-end saga latency by arrival rate',
      width: 560,
      height: 300,
      data: { values: lat },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'rate', type: 'quantitative', title: 'arrival rate (sagas/s)', scale: { type: 'log' } },
        y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
        color: { field: 'mode', type: 'nominal' },
        strokeDash: { field: 'percentile', type: 'nominal' },
      },
    };
    out['throughput-latency'] = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Throughput vs p99 latency',
      width: 560,
      height: 300,
      data: { values: lat.filter((x) => x.percentile === 'p99') },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'throughput', type: 'quantitative', title: 'completed sagas/s' },
        y: { field: 'ms', type: 'quantitative', title: 'p99 latency (ms)', scale: { type: 'log' } },
        color: { field: 'mode', type: 'nominal' },
        order: { field: 'rate', type: 'quantitative' },
      },
    };
  }
  const mix = (r.compensation ?? []).flatMap((c) =>
    c.byKind.map((k) => ({ mode: c.mode, outcome: k.kind, count: k.count, p50: k.p50, p99: k.p99 })),
  );
  if (mix.length) {
    out['outcome-mix'] = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Compensation suite: latency per outcome (p50 bar, p99 tick)',
      data: { values: mix },
      facet: { column: { field: 'mode', type: 'nominal', title: null } },
      spec: {
        width: 110,
        height: 240,
        layer: [
          {
            mark: 'bar',
            encoding: {
              x: { field: 'outcome', type: 'nominal', title: null },
              y: { field: 'p50', type: 'quantitative', title: 'latency (ms)' },
              color: { field: 'outcome', type: 'nominal' },
            },
          },
          {
            mark: { type: 'tick', color: 'black', thickness: 2 },
            encoding: { x: { field: 'outcome', type: 'nominal' }, y: { field: 'p99', type: 'quantitative' } },
          },
        ],
      },
    };
  }
  const rec = r.recovery ?? [];
  if (rec.length) {
    out['recovery-timeline'] = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Recovery: terminal sagas per second (fault: solid rule; part back: dashed rule)',
      data: {
        values: rec.flatMap((x) => [
          ...x.timeline.map((t) => ({
            fault: x.fault,
            mode: x.mode,
            second: t.second,
            terminal: t.terminal,
            kind: 'rate',
          })),
          { fault: x.fault, mode: x.mode, second: x.faultSecond, kind: 'fault' },
          { fault: x.fault, mode: x.mode, second: x.backSecond, kind: 'back' },
        ]),
      },
      facet: { row: { field: 'fault', type: 'nominal', title: null } },
      spec: {
        width: 560,
        height: 120,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'rate'" }],
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: {
              x: { field: 'second', type: 'quantitative', title: 'seconds since the load began' },
              y: { field: 'terminal', type: 'quantitative', title: 'terminal/s' },
              color: { field: 'mode', type: 'nominal' },
            },
          },
          {
            transform: [{ filter: "datum.kind !== 'rate'" }],
            mark: { type: 'rule', opacity: 0.6 },
            encoding: {
              x: { field: 'second', type: 'quantitative' },
              color: { field: 'mode', type: 'nominal' },
              strokeDash: {
                field: 'kind',
                type: 'nominal',
                scale: {
                  domain: ['fault', 'back'],
                  range: [
                    [1, 0],
                    [4, 3],
                  ],
                },
                legend: null,
              },
            },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    };
  }
  return out;
};
