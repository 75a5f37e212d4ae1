import type { Endpoint, ServerName } from './settings.ts';

export type Say = (line: string) => void;

/** One server of the local stack: how to install, start, check and stop it. */
export interface Server {
  name: ServerName;
  endpoint: Endpoint;
  /** The variable that points the project at this server (named in errors). */
  envVar: string;
  /** Where clients connect, as they would write it. */
  address: string;
  /** Other ports the server listens on (checked free before start). */
  extraPorts: number[];
  /** Extra lines for `status` (e.g. the Web UI address). */
  details: Record<string, string>;
  logFile: string;
  /** The live pid from this stack's pid file, if it runs. */
  pid(): number | undefined;
  /** Makes sure binaries and data folders exist (builds or downloads into the cache when missing). */
  install(say: Say): Promise<void>;
  /** For a server whose install is a long build: whether it is built, and a way to build it detached. */
  installed?(): boolean;
  installInBackground?(say: Say): void;
  start(say: Say): Promise<void>;
  /** Throws unless the server really serves; creates what the project needs on it (idempotent). */
  ready(): Promise<void>;
  stop(pid: number): Promise<void>;
}
