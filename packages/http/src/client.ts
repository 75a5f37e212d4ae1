import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { Reply, type Command, type ReplyOutcome } from '@saga/contracts';

export type CommandAnswer =
  { kind: 'reply'; replyId: string; outcome: ReplyOutcome; reason?: string } | { kind: 'failed'; error: string };

/** How often an attempt tries again to reach a service it could not connect to. */
export const RECONNECT_EVERY_MS = 250;

/**
 * One keep-alive connection pool per origin for every command of this process (undici's request
 * API: no WHATWG Request/Response/stream objects per call, which `fetch` spends a third of the
 * coordinator's JavaScript time on — ADR 0014). An idle socket is kept for the server's
 * `Keep-Alive: timeout=` hint less undici's 2 s threshold (Node's servers send 5 s, so 3 s), at
 * most 30 s without a hint: the client lets go before the server closes, so a reused socket is
 * not one the server is closing.
 */
const dispatcher = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 64 });

/** Connection-level: the request may not have reached the service, or its answer was lost. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const unreachable = (err: unknown) => UNREACHABLE.has((err as { code?: string } | null)?.code ?? '');

const errorText = (err: unknown) => {
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err instanceof Error ? err.message : String(err)}${cause}`;
};

/**
 * A 200's body, checked at the edge as a Kafka reply is: a Reply to this very command, or the
 * attempt fails saying what was wrong (the step retries it with the same command id).
 */
const answerOf = (command: Command, body: unknown): CommandAnswer => {
  const parsed = Reply.safeParse(body);
  if (!parsed.success)
    return {
      kind: 'failed',
      error: `the answer is not a Reply: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    };
  const { messageId, payload } = parsed.data;
  if (payload.commandId !== command.messageId)
    return { kind: 'failed', error: `the reply answers ${payload.commandId}, not ${command.messageId}` };
  return {
    kind: 'reply',
    replyId: messageId,
    outcome: payload.outcome,
    ...(payload.outcome === 'FAILURE' ? { reason: payload.reason } : {}),
  };
};

/**
 * One attempt of a command over HTTP: `POST /commands/<Type>`; the reply is the response.
 * The attempt lasts up to `timeoutMs`, whatever the transport (ADR 0008): while the service
 * cannot be reached (refused, reset — it is restarting) the same request, same message id, is
 * sent again every 250 ms, as a Kafka command waits on its topic until the service is back. Any
 * answer other than 200 fails the attempt at once. Never throws.
 */
export const postCommand = async (
  baseUrl: string,
  command: Command,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CommandAnswer> => {
  const { type, ...body } = command;
  const deadline = Date.now() + timeoutMs;
  // A timer cleared with the answer, not AbortSignal.timeout: that one can still fire after the
  // answer is in and builds a DOMException when it does (2–4 % of the coordinator, ADR 0015 decision 6).
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref();
  const stop = signal ? AbortSignal.any([timeout.signal, signal]) : timeout.signal;
  const payload = JSON.stringify(body);
  try {
    for (;;) {
      try {
        const res = await request(`${baseUrl}/commands/${type}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payload,
          signal: stop,
          dispatcher,
        });
        if (res.statusCode !== 200)
          return { kind: 'failed', error: `HTTP ${res.statusCode} ${(await res.body.text()).slice(0, 200)}` };
        return answerOf(command, await res.body.json());
      } catch (err) {
        if (stop.aborted || !unreachable(err) || Date.now() + RECONNECT_EVERY_MS >= deadline)
          return { kind: 'failed', error: errorText(err) };
        await sleep(RECONNECT_EVERY_MS);
      }
    }
  } finally {
    clearTimeout(timer);
  }
};
