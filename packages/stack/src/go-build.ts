import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, livePid, requireTool, run, spawnDetached, StackError, tailFile, withProgress } from './proc.ts';
import type { Say } from './server.ts';

export interface GoBuildSpec {
  /** What is built, for messages ("Temporal server v1.32.0 and its sql tool"). */
  what: string;
  /** `module/cmd/x@version` paths for `go install`; the first one marks the build's pid file. */
  packages: string[];
  /** Binaries `go install` leaves in `<home>/bin`. */
  bins: string[];
  /** The cache folder (outside the checkout, shared by every clone). */
  home: string;
  /** The run folder for `build.log` and `build.pid`. */
  dir: string;
  /** How long it takes, for the message ("about 2 min warm, 6–8 min cold on 2 cores"). */
  takes: string;
}

/**
 * A stack server built from the Go module proxy with `go install` into the cache: in the
 * foreground (`up` waits), or detached and niced (`up --defer-builds` leaves the server down and
 * a later `up` waits for that build).
 */
export const goBuild = (spec: GoBuildSpec) => {
  const buildLog = join(spec.dir, 'build.log');
  const buildPidFile = join(spec.dir, 'build.pid');
  const marker = spec.packages[0]!;
  const bin = (name: string) => join(spec.home, 'bin', name);
  const building = () => livePid(buildPidFile, marker);
  // Not while a build runs: go install may be writing the binaries in place.
  const built = () => building() === undefined && spec.bins.every((b) => existsSync(bin(b)));
  const goInstall = () => ({
    go: requireTool('go', 'install Go 1.24+ (apt-get install -y golang-go, or put its bin folder on PATH)'),
    args: ['install', ...spec.packages],
    env: { ...process.env, CGO_ENABLED: '0', GOBIN: join(spec.home, 'bin'), GOFLAGS: '-buildvcs=false' },
  });

  return {
    bin,
    buildLog,
    built,

    install: async (say: Say) => {
      mkdirSync(spec.dir, { recursive: true });
      if (built()) return;
      const background = building();
      const progress = `still building ${spec.what}`;
      if (background !== undefined) {
        say(`waiting for the background build of ${spec.what} (pid ${background}); log: ${buildLog}`);
        await withProgress(
          progress,
          (async () => {
            while (isAlive(background)) await sleep(1000);
          })(),
          say,
        );
        if (!built())
          throw new StackError(
            `the background build of ${spec.what} failed:\n--- last lines of ${buildLog} ---\n${tailFile(buildLog)}`,
          );
        return;
      }
      const { go, args, env } = goInstall();
      say(`building ${spec.what} with go install (${spec.takes}); log: ${buildLog}`);
      await withProgress(progress, run(go, args, { env, logFile: buildLog }), say);
    },

    installInBackground: (say: Say) => {
      mkdirSync(spec.dir, { recursive: true });
      if (built()) return;
      const running = building();
      if (running !== undefined) return say(`still building in the background (pid ${running}); log: ${buildLog}`);
      const { go, args, env } = goInstall();
      // Niced: it runs while the main job measures the other modes, and must not take their CPU.
      const pid = spawnDetached('nice', ['-n', '19', go, ...args], buildLog, buildPidFile, { env });
      say(`building ${spec.what} in the background (pid ${pid}, ${spec.takes}); log: ${buildLog}`);
    },
  };
};
