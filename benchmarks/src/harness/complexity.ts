import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import YAML from 'yaml';
import { DRIVERS, driverOf, hasProcess, type CoordinatorDriver, type CoordinatorName } from '@saga/launcher';
import { MODES } from './modes.ts';

/**
 * The complexity suite: each coordinator's own code (what a team writes and keeps for its saga:
 * definition, engine or workflow, activities, starter, timers, inspection API, its SQL), counted
 * the same way for both. Shared service code (contracts, Kafka/HTTP/Postgres helpers, the
 * outbox) is excluded from the counts and listed apart.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));
/** Each coordinator's own folder, from its driver (the registry in @saga/launcher). */
export const COORDINATOR_DIRS = Object.fromEntries(DRIVERS.map((d) => [d.name, d.dir])) as Record<
  CoordinatorName,
  string
>;
export type { CoordinatorName };
/** Test code and test helpers are not the coordinator. */
const isProductionSource = (f: string) =>
  f.endsWith('.ts') && !f.endsWith('.test.ts') && !['given.ts', 'test-environment.ts'].includes(f);

/** Non-blank, non-comment lines of TypeScript: lines that hold part of a token (the TypeScript parser's tokens, not a regex). */
export const codeLines = (text: string) => {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
  const lines = new Set<number>();
  const visit = (n: ts.Node) => {
    if (ts.isJSDoc(n) || n.kind === ts.SyntaxKind.EndOfFileToken) return;
    const kids = n.getChildren(sf);
    if (kids.length > 0) return kids.forEach(visit);
    const from = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
    const to = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
    for (let l = from; l <= to; l++) lines.add(l);
  };
  visit(sf);
  return lines.size;
};
/** SQL: lines that are not blank and not `--` comments. */
export const sqlLines = (text: string) => text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('--')).length;

export interface FunctionComplexity {
  file: string;
  line: number;
  name: string;
  complexity: number;
}

/** Cyclomatic complexity of every function, from ESLint's own `complexity` rule (max 0: each function reports its number). */
export const functionComplexity = async (sources: { file: string; text: string }[]): Promise<FunctionComplexity[]> => {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        rules: { complexity: ['error', { max: 0 }] },
      },
    ],
  });
  const results = (
    await Promise.all(sources.map((s) => eslint.lintText(s.text, { filePath: join(root, s.file) })))
  ).flat();
  return results.flatMap((r) =>
    r.messages.flatMap((m) => {
      const hit = /^(.*) has a complexity of (\d+)/.exec(m.message);
      if (m.ruleId !== 'complexity' || !hit) return [];
      return [{ file: r.filePath.slice(root.length), line: m.line, name: hit[1]!, complexity: Number(hit[2]) }];
    }),
  );
};

export interface Concept {
  concept: string;
  kind: 'ours' | 'platform';
  at: string;
  text: string;
}
export const CONCEPTS_FILE = 'docs/complexity/concepts.yaml';
/** The concepts a newcomer must learn, per coordinator, each pointing at a line that uses it. */
export const loadConcepts = (): Record<CoordinatorName, Concept[]> =>
  YAML.parse(readFileSync(join(root, CONCEPTS_FILE), 'utf8')) as Record<CoordinatorName, Concept[]>;
/** A concept's reference that no longer holds (file gone, line past the end, or the line no longer says `text`). */
export const brokenReference = (c: Concept): string | undefined => {
  const [file, line] = c.at.split(':');
  let lines: string[];
  try {
    lines = readFileSync(join(root, file!), 'utf8').split('\n');
  } catch {
    return `${c.concept}: ${file} does not exist`;
  }
  const text = lines[Number(line) - 1];
  if (text === undefined) return `${c.concept}: ${c.at} is past the end of the file`;
  if (!text.includes(c.text)) return `${c.concept}: ${c.at} no longer contains "${c.text}" (it reads "${text.trim()}")`;
  return undefined;
};

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  link?: boolean;
  resolved?: string;
}
/** Every package installed for `names`, transitively, from package-lock.json (workspace links followed). */
const closure = (names: string[]) => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const entry = lock.packages[`node_modules/${name}`];
    const target = entry?.link ? lock.packages[entry.resolved!] : entry;
    for (const d of Object.keys({ ...target?.dependencies, ...target?.optionalDependencies })) visit(d);
  };
  names.forEach(visit);
  return [...seen].filter((n) => !n.startsWith('@saga/'));
};

/** Direct npm imports of a coordinator's code (from its import statements, not a hand-kept list). */
const importsOf = (texts: string[]) => {
  const found = new Set<string>();
  for (const t of texts) {
    for (const m of t.matchAll(/from '([^']+)'/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.') || spec.startsWith('node:')) continue;
      found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  }
  return [...found].sort();
};

const sharedLines = (pkg: string) => {
  const dir = join(root, 'packages', pkg.replace('@saga/', ''), 'src');
  try {
    return readdirSync(dir)
      .filter(isProductionSource)
      .reduce((n, f) => n + codeLines(readFileSync(join(dir, f), 'utf8')), 0);
  } catch {
    return 0;
  }
};

/** A coordinator's own folder: its production sources and its SQL migrations. */
const filesIn = (dir: string) => ({
  src: readdirSync(join(root, dir, 'src'))
    .filter(isProductionSource)
    .sort()
    .map((f) => `${dir}/src/${f}`),
  sql: readdirSync(join(root, dir, 'migrations'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => `${dir}/migrations/${f}`),
});

export const measureComplexity = async () => {
  const concepts = loadConcepts();
  const coordinators = [];
  for (const { name, code } of DRIVERS as readonly CoordinatorDriver[]) {
    const { src, sql } = code
      ? { src: [...code.src], sql: [...code.sql] }
      : filesIn(COORDINATOR_DIRS[name as CoordinatorName]);
    const texts = src.map((f) => readFileSync(join(root, f), 'utf8'));
    const fns = await functionComplexity(src.map((file, i) => ({ file, text: texts[i]! })));
    const imports = importsOf(texts);
    const external = imports.filter((i) => !i.startsWith('@saga/'));
    const shared = imports.filter((i) => i.startsWith('@saga/'));
    const sharedClosure = [
      ...new Set([
        ...shared,
        ...shared.flatMap((s) =>
          importsOf(
            readdirSync(join(root, 'packages', s.replace('@saga/', ''), 'src'))
              .filter(isProductionSource)
              .map((f) => readFileSync(join(root, 'packages', s.replace('@saga/', ''), 'src', f), 'utf8')),
          ).filter((i) => !i.startsWith('@saga/')),
        ),
      ]),
    ];
    coordinators.push({
      coordinator: name as CoordinatorName,
      files: src
        .map((f, i) => ({ file: f, lines: codeLines(texts[i]!) }))
        .concat(sql.map((f) => ({ file: f, lines: sqlLines(readFileSync(join(root, f), 'utf8')) }))),
      lines: texts.reduce((n, t) => n + codeLines(t), 0),
      sqlLines: sql.reduce((n, f) => n + sqlLines(readFileSync(join(root, f), 'utf8')), 0),
      functions: fns.length,
      complexity: {
        max: Math.max(...fns.map((f) => f.complexity)),
        mean: Math.round((fns.reduce((n, f) => n + f.complexity, 0) / fns.length) * 100) / 100,
        over10: fns.filter((f) => f.complexity > 10).length,
        top: [...fns].sort((a, b) => b.complexity - a.complexity).slice(0, 5),
      },
      dependencies: {
        direct: external,
        installed: closure(external).length,
        sharedPackages: shared.map((p) => ({ name: p, lines: sharedLines(p) })),
        sharedNpm: sharedClosure.filter((p) => !p.startsWith('@saga/')),
      },
      concepts: concepts[name as CoordinatorName],
    });
  }
  const operations = MODES.map((m) => ({
    mode: m.name,
    processes: 4 + (hasProcess(m.coordinator) ? 1 : 0), // the four services and the coordinator's own, if any
    ...driverOf(m.coordinator).operations(m),
  }));
  return { coordinators, operations };
};
export type Complexity = Awaited<ReturnType<typeof measureComplexity>>;

export const complexityLines = (c: Complexity) =>
  c.coordinators.map(
    (x) =>
      `complexity ${x.coordinator.padEnd(8)}: ${x.lines} lines TypeScript + ${x.sqlLines} SQL in ${x.files.length} files; ${x.functions} functions, cyclomatic max ${x.complexity.max}, mean ${x.complexity.mean}, ${x.complexity.over10} over 10; ` +
      `npm deps ${x.dependencies.direct.join(', ')} (${x.dependencies.installed} installed); ${x.concepts.length} concepts (${x.concepts.filter((k) => k.kind === 'ours').length} ours)`,
  );
