import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });

/** The libraries whose versions a figure depends on: the engines' SDKs, the Kafka and PostgreSQL clients. */
export const SDK_PACKAGES = [
  '@temporalio/client',
  '@temporalio/worker',
  '@dbos-inc/dbos-sdk',
  '@restatedev/restate-sdk',
  'kafkajs',
  'pg',
] as const;

/** The installed version of each of `SDK_PACKAGES` (read from its package.json). */
export const sdkVersions = (): Record<string, string> => {
  const require = createRequire(join(root, 'package.json'));
  return Object.fromEntries(
    SDK_PACKAGES.map((name) => {
      try {
        const dir = require.resolve(`${name}/package.json`);
        return [name, (JSON.parse(readFileSync(dir, 'utf8')) as { version: string }).version];
      } catch {
        return [name, 'not installed'];
      }
    }),
  );
};

/** What a committed run was made from: the checkout's full commit, and whether the tree differed from it. */
export interface TreeState {
  commit: string;
  /** Tracked files changed or untracked files present (results folders aside) when the run started. */
  dirty: boolean;
  /** sha256 of `git diff HEAD` and the untracked files' names and contents, when dirty. */
  diffSha256?: string;
}

/** Results folders are written by runs themselves: not part of what a run was made from. */
const OWN_OUTPUT = ':(exclude)benchmarks/results';

export const treeState = (): TreeState => {
  const commit = git('rev-parse', 'HEAD').trim();
  const diff = git('diff', 'HEAD', '--binary', '--', '.', OWN_OUTPUT);
  const untracked = git('ls-files', '--others', '--exclude-standard', '--', '.', OWN_OUTPUT)
    .split('\n')
    .filter(Boolean);
  if (diff === '' && untracked.length === 0) return { commit, dirty: false };
  const hash = createHash('sha256').update(diff);
  for (const file of untracked) hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
  return { commit, dirty: true, diffSha256: hash.digest('hex') };
};

/** Why a run may not back an ADR, or undefined when it may (a run from before the flag was recorded may). */
export const notForAnAdr = (run: string, machine: Record<string, unknown>): string | undefined =>
  machine.dirty === true
    ? `run ${run} was made from a tree that differed from commit ${String(machine.commit)} (diff sha256 ${String(machine.diffSha256)}): an ADR quotes runs of a committed tree only — run it again from a clean checkout`
    : undefined;
