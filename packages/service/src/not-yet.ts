import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A command this service cannot decide yet: the event it decides on (e.g. the order's outcome,
 * heard on `order.events`) has not arrived. Thrown inside the inbox transaction, so nothing is
 * written; the command is tried again, never guessed. Over HTTP it is answered 409 with
 * `Retry-After`, over Kafka it is left unanswered for the sender's own retry, a reaction waits for
 * it like for a database that is restarting.
 */
export class NotYet extends Error {
  override name = 'NotYet';
}

/** How long one command waits in the service for what it needs before it is answered "not yet". */
export const NOT_YET_WAIT_MS = 2_000;

/**
 * Runs `attempt` until it does not throw `NotYet`, waiting 5 ms, then twice as long each time
 * (at most 200 ms), for `waitMs` in all; then the last `NotYet` is thrown. The legitimate race —
 * a coordinator's command a few milliseconds ahead of the event it depends on — ends in the first
 * waits; a made-up order holds its caller (an HTTP request, one Kafka partition) for `waitMs` at most.
 */
export const untilDecidable = async <T>(attempt: () => Promise<T>, waitMs = NOT_YET_WAIT_MS): Promise<T> => {
  const until = Date.now() + waitMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof NotYet) || Date.now() + delay > until) throw err;
      await sleep(delay);
    }
  }
};
