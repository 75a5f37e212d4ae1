import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { coordinatorSettings, serverSettings } from '@saga/config';
import { compiledOf, COORDINATORS, coordinatorUrl, DRIVERS, hasProcess, SERVICES, sourceOf } from '@saga/launcher';
import { serviceSettings } from '@saga/service';
import { DATABASES, SEARCH_ATTRIBUTES, SERVER_NAMES, TEMPORAL_TUNING, Versions, loadStackSettings } from '@saga/stack';

// docker-compose.yml is not run here (no Docker engine): this keeps it valid YAML and in step
// with the no-Docker stack's versions, ports and database names.
const root = new URL('../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { image: string; ports?: string[]; command?: string[]; environment?: Record<string, string | number> }
  >;
};
const defaults = loadStackSettings({});
const hostPorts = (svc: string) => (compose.services[svc]?.ports ?? []).map((p) => Number(p.split(':').at(-2)));

describe('docker-compose.yml', () => {
  it('names every server the stack starts and every process the launcher starts', () => {
    // …and the two one-shot jobs that set up temporal-pg (schema, namespace), as the stack does at start.
    const jobs = ['temporal-pg-schema', 'temporal-pg-namespace'];
    expect(Object.keys(compose.services).sort()).toEqual(
      [...SERVER_NAMES, ...jobs, ...SERVICES.map((s) => s.name), 'coordinator'].sort(),
    );
  });

  it("runs each service with the settings it reads, on the launcher's port and one of the stack's databases", () => {
    for (const svc of SERVICES) {
      const env = compose.services[svc.name]!.environment ?? {};
      const known = new Set([
        ...Object.keys(serviceSettings(svc.name, { port: svc.port, database: 'x' })),
        ...(svc.name === 'notification' ? ['NOTIFICATION_SINK_FILE'] : []),
      ]);
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        `${svc.name}: settings it does not read`,
      ).toEqual([]);
      const P = svc.name.toUpperCase();
      expect(Number(env[`${P}_PORT`])).toBe(svc.port);
      expect(hostPorts(svc.name)).toEqual([svc.port]);
      expect(DATABASES).toContain(env[`${P}_DATABASE`]);
      expect(env.SERVICE_HOST).toBe('0.0.0.0');
      expect(compose.services[svc.name]!.command?.join(' ')).toContain(`dist/processes/${svc.name}.mjs`);
      expect(compiledOf(svc.name)).toMatch(new RegExp(`/dist/processes/${svc.name}\\.mjs$`));
    }
  });

  it("starts the coordinator ORCHESTRATOR names, with settings every coordinator reads, on each driver's port", () => {
    const c = compose.services.coordinator!;
    const cmd = c.command?.join(' ') ?? '';
    expect(cmd).toContain('dist/processes/${ORCHESTRATOR:-custom}.mjs');
    for (const name of COORDINATORS.filter((n) => n !== 'none' && hasProcess(n))) {
      expect(existsSync(sourceOf(name)), name).toBe(true);
      expect(compiledOf(name)).toMatch(new RegExp(`/dist/processes/${name}\\.mjs$`));
    }
    const known = new Set([
      ...Object.keys(coordinatorSettings),
      ...Object.keys(serverSettings),
      ...DRIVERS.flatMap((d) => Object.keys(d.settings)),
    ]);
    expect(Object.keys(c.environment ?? {}).filter((k) => !known.has(k))).toEqual([]);
    // Choreography has no process (its operator API is the order service's port): `--scale coordinator=0`.
    const withProcess = DRIVERS.filter((d) => hasProcess(d.name));
    expect(DRIVERS.filter((d) => !hasProcess(d.name)).every((d) => hostPorts('order').includes(d.port.default))).toBe(
      true,
    );
    expect(readFileSync(new URL('docker-compose.yml', root), 'utf8')).toContain(
      'ORCHESTRATOR=choreography docker compose up --scale coordinator=0',
    );
    const ports = withProcess.map((d) => Number(new URL(coordinatorUrl(d.name, {})).port));
    expect(ports).toEqual(withProcess.map((d) => d.port.default));
    expect(hostPorts('coordinator')).toEqual(ports);
    for (const d of withProcess) expect(Number(c.environment![d.port.setting]), d.port.setting).toBe(d.port.default);
    for (const s of SERVICES) expect(c.environment![`${s.name.toUpperCase()}_URL`]).toBe(`http://${s.name}:${s.port}`);
  });

  it('builds the compiled processes its commands run, with the script the launcher uses', () => {
    const dockerfile = readFileSync(new URL('docker/workbench.Dockerfile', root), 'utf8');
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    const scripts = (
      JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.build).toContain('packages/launcher/src/build-cli.ts');
  });

  it('pins the same versions', () => {
    expect(compose.services.postgres!.image).toBe(`postgres:${Versions.postgres}`);
    expect(compose.services.kafka!.image).toBe(`apache/kafka:${Versions.kafka}`);
    expect(compose.services.temporal!.image).toBe(`temporalio/temporal:${Versions.temporalCli}`);
    const server = Versions.temporalServer.replace(/^v/, '');
    expect(compose.services['temporal-pg']!.image).toBe(`temporalio/server:${server}`);
    for (const job of ['temporal-pg-schema', 'temporal-pg-namespace'])
      expect(compose.services[job]!.image).toBe(`temporalio/admin-tools:${server}`);
    expect(compose.services.restate!.image).toBe(`docker.restate.dev/restatedev/restate:${Versions.restateServer}`);
    expect(compose.services['temporal-pg-ui']!.image).toBe(`temporalio/ui:${Versions.temporalUi.replace(/^v/, '')}`);
  });

  it('publishes the same ports as the stack defaults', () => {
    expect(hostPorts('postgres')).toEqual([defaults.postgres.port]);
    expect(hostPorts('kafka')).toEqual([defaults.kafka.port]);
    expect(hostPorts('temporal')).toEqual([defaults.temporal.port, defaults.temporal.uiPort]);
    expect(compose.services.temporal!.command).toContain(defaults.servers.TEMPORAL_NAMESPACE);
    expect(hostPorts('restate')).toEqual([defaults.restate.port, defaults.restate.adminPort]);
    expect(compose.services.restate!.command?.join(' ')).toContain(
      `--default-num-partitions ${defaults.RESTATE_PARTITIONS}`,
    );
  });

  it("runs both Temporal servers with the stack's tuning (ADR 0005)", () => {
    const cmd = compose.services.temporal!.command ?? [];
    for (const kv of TEMPORAL_TUNING) expect(cmd.join(' ')).toContain(`--dynamic-config-value ${kv}`);
    expect(cmd.join(' ')).toContain('--sqlite-pragma journal_mode=WAL');
    const dynamic = parse(readFileSync(new URL('docker/temporal-dynamic.yaml', root), 'utf8')) as Record<
      string,
      { value: unknown }[]
    >;
    expect(Object.entries(dynamic).map(([k, v]) => `${k}=${String(v[0]!.value)}`)).toEqual(TEMPORAL_TUNING);
    expect(hostPorts('temporal-pg')).toEqual([defaults.temporalPg.port]);
  });

  it("gives both Temporal servers the coordinator's search attributes, and temporal-pg its Web UI", () => {
    const names = Object.keys(SEARCH_ATTRIBUTES);
    const dev = compose.services.temporal!.command!.join(' ');
    for (const n of names) expect(dev).toContain(`--search-attribute ${n}=Keyword`);
    const job = compose.services['temporal-pg-namespace']!.command!.join(' ');
    expect(job).toContain(`for name in ${names.join(' ')}; do`);
    expect(job).toContain(
      'search-attribute create --address temporal-pg:7233 -n default --name "$$name" --type Keyword',
    );
    const ui = compose.services['temporal-pg-ui']!;
    expect(ui.environment?.TEMPORAL_ADDRESS).toBe('temporal-pg:7233');
    expect(hostPorts('temporal-pg-ui')).toEqual([defaults.temporalPgUi.port]);
    expect(Number(ui.environment?.TEMPORAL_UI_PORT)).toBe(defaults.temporalPgUi.port);
  });

  it('creates every database the stack creates', () => {
    const sql = readFileSync(new URL('docker/postgres-init.sql', root), 'utf8');
    const created = [...sql.matchAll(/^CREATE DATABASE (\w+);/gm)].map((m) => m[1]);
    expect(created.sort()).toEqual([...DATABASES].sort());
  });
});
