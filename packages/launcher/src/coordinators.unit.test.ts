import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '@saga/config';
import {
  COORDINATOR_NAMES,
  DRIVERS,
  driverOf,
  MODES,
  type CoordinatorDriver,
  type CoordinatorName,
} from './coordinators.ts';
import { COORDINATORS, coordinatorUrl, hasProcess } from './processes.ts';
import { ENTRY_POINTS } from './build.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
type Shape = Parameters<typeof loadConfig>[0];

/** Issue 15's seam: one driver per coordinator, one registry line; every reader takes it from there. */
describe('the coordinator registry', () => {
  it('every driver names a process that exists, inside its own folder, and the launcher starts it — or none, and its code where it lives', () => {
    for (const d of DRIVERS as readonly CoordinatorDriver[]) {
      if (d.entry === undefined) {
        // Choreography: the services drive the saga; its code is spread over them, each file real.
        expect(hasProcess(d.name as CoordinatorName)).toBe(false);
        expect(d.name in ENTRY_POINTS).toBe(false);
        for (const f of [...(d.code?.src ?? []), ...(d.code?.sql ?? [])])
          expect(existsSync(`${root}${f}`), f).toBe(true);
        expect(d.code?.src.length).toBeGreaterThan(0);
        continue;
      }
      expect(existsSync(`${root}${d.entry}`), d.entry).toBe(true);
      expect(d.entry.startsWith(`${d.dir}/`), `${d.name}: ${d.entry} outside ${d.dir}`).toBe(true);
      expect(ENTRY_POINTS[d.name as keyof typeof ENTRY_POINTS]).toBe(d.entry);
    }
    expect(COORDINATORS).toEqual([...COORDINATOR_NAMES, 'none']);
  });

  it("every driver's port is a setting its process reads, with the same default", () => {
    for (const d of DRIVERS) {
      const defaults = loadConfig(d.settings as Shape, {}) as Record<string, unknown>;
      expect(defaults[d.port.setting], `${d.name}: ${d.port.setting}`).toBe(d.port.default);
      expect(coordinatorUrl(d.name, {})).toBe(`http://127.0.0.1:${d.port.default}`);
      expect(coordinatorUrl(d.name, { [d.port.setting]: '4999' })).toBe('http://127.0.0.1:4999');
    }
    expect(new Set(DRIVERS.map((d) => d.port.default)).size).toBe(DRIVERS.length);
  });

  it("every coordinator's own database is a setting its process reads; none is shared", () => {
    const stores = (DRIVERS as readonly CoordinatorDriver[]).flatMap((d) => (d.store ? [[d, d.store] as const] : []));
    for (const [d, store] of stores)
      expect(Object.keys(d.settings), `${d.name}: ${store.database}`).toContain(store.database);
    expect(new Set(stores.map(([, s]) => s.database)).size).toBe(stores.length);
    expect(stores.map(([d]) => d.name)).toEqual(expect.arrayContaining(['custom', 'temporal', 'dbos']));
  });

  it('no two coordinators share a consumer group or a mode name; each mode carries its coordinator', () => {
    const groups = DRIVERS.flatMap((d) => d.groups);
    expect(new Set(groups).size).toBe(groups.length);
    expect(new Set(MODES.map((m) => m.name)).size).toBe(MODES.length);
    for (const m of MODES) expect(m.name.startsWith(`${m.coordinator}-`), m.name).toBe(true);
    expect(MODES.length).toBe(DRIVERS.reduce((n, d) => n + d.modes.length, 0));
  });

  it('the complexity suite has concepts for every coordinator', () => {
    const concepts = parse(readFileSync(`${root}docs/complexity/concepts.yaml`, 'utf8')) as Record<string, unknown[]>;
    expect(Object.keys(concepts).sort()).toEqual([...COORDINATOR_NAMES].sort());
  });

  it('an unknown coordinator is an error naming the valid ones', () => {
    expect(() => driverOf('camunda')).toThrow(`"camunda" is not a coordinator; valid: ${COORDINATOR_NAMES.join(', ')}`);
  });
});
