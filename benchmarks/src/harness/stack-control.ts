import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackSettings, stackServers, up, type ServerName } from '@saga/stack';

/**
 * The harness's hold on the stack's servers (the recovery and chaos suites' server faults): only
 * servers the stack started itself, by the pids in its pid files.
 */
export const stackControl = () => {
  const stack = loadStackSettings();
  const stackByName = new Map(stackServers(stack).map((x) => [x.name, x]));
  const stackServer = (name: ServerName) => {
    const srv = stackByName.get(name)!;
    if (!srv.endpoint.managed)
      throw new Error(
        `${name} is external (STACK_EXTERNAL or a non-loopback address): the harness only injects faults into servers the stack started`,
      );
    return srv;
  };
  const serverPid = (name: ServerName) => {
    const pid = stackServer(name).pid();
    if (pid === undefined) throw new Error(`${name} is not running (no live pid in its pid file)`);
    return pid;
  };
  return {
    /** A server's pid, undefined when it is not running. */
    pidOf: (name: ServerName) => stackServer(name).pid(),
    /** kill -9 of a stack server by the pid in the stack's pid file. */
    killServer: async (name: ServerName) => {
      const pid = serverPid(name);
      process.kill(pid, 'SIGKILL');
      while (stackServer(name).pid() !== undefined) await sleep(50);
      return pid;
    },
    /** A clean stop of a stack server (its own shutdown signal), by its recorded pid. */
    stopServer: async (name: ServerName) => {
      const pid = serverPid(name);
      await stackServer(name).stop(pid);
      return pid;
    },
    /** Starts a stack server again and waits until it serves (the stack's own readiness check). */
    startServer: async (name: ServerName) => void (await up([stackServer(name)], stack, () => undefined)),
  };
};
