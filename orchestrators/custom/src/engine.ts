import type { OperatorAction } from '@saga/contracts';
import { backoffMs, type ActionDef, type SagaDefinition } from './definition.ts';
import {
  active,
  deadlineActive,
  TERMINAL,
  wakeAt,
  type Context,
  type HistoryEntry,
  type OutgoingCommand,
  type SagaEvent,
  type SagaState,
  type Transition,
} from './state.ts';

export * from './state.ts';

/**
 * The saga engine: one pure function, (definition, state, event) → (state, commands, wake-up).
 * No IO, no clock, no randomness of its own: `now` and `random` come with the event context.
 */

export class SagaEngine<D> {
  private readonly actions = new Map<string, ActionDef<D>>();

  constructor(readonly def: SagaDefinition<D>) {
    for (const a of [...def.forward, ...def.forward.flatMap((f) => (f.undo ? [f.undo] : [])), ...def.closing])
      this.actions.set(a.name, a);
  }

  initial(sagaId: string, data: D): SagaState<D> {
    return {
      sagaId,
      status: 'RUNNING',
      data,
      current: null,
      queue: [],
      done: [],
      pastPivot: false,
      deadlineAt: 0,
      reason: null,
      parked: null,
      note: null,
    };
  }

  transition(state: SagaState<D>, event: SagaEvent<D>, ctx: Context): Transition<D> {
    const t = new Step(this, structuredClone(state), ctx);
    t.apply(event);
    return t.result();
  }

  action(name: string): ActionDef<D> {
    const a = this.actions.get(name);
    if (!a) throw new Error(`saga ${this.def.name} has no action ${name}`);
    return a;
  }
}

/** One transition in progress: mutates its own copy of the state and collects the outputs. */
class Step<D> {
  private readonly send: OutgoingCommand[] = [];
  private readonly history: HistoryEntry[] = [];
  private refused: string | undefined;

  constructor(
    private readonly engine: SagaEngine<D>,
    private readonly s: SagaState<D>,
    private readonly ctx: Context,
  ) {}

  apply(event: SagaEvent<D>) {
    if (TERMINAL.includes(this.s.status) && event.type !== 'operator') {
      this.log({ kind: 'ignored', detail: `${event.type}: saga is ${this.s.status}`, ...this.ids(event) });
      return;
    }
    switch (event.type) {
      case 'start':
        return this.start(event.data);
      case 'reply':
        return this.reply(event);
      case 'attempt-failed': {
        const cur = this.s.current;
        if (
          !active(this.s) ||
          !cur ||
          cur.commandId !== event.commandId ||
          cur.waiting !== 'reply' ||
          (event.attempt !== undefined && event.attempt !== cur.attempt)
        ) {
          return this.log({
            kind: 'ignored',
            detail: 'failed attempt of a command no longer awaited',
            commandId: event.commandId,
          });
        }
        this.logCurrent('attempt-failed', event.error);
        return this.attemptFailed();
      }
      case 'tick':
        return this.tick(event.unsent === true);
      case 'operator':
        return this.operator(event.action, event.note);
      default: {
        const unreachable: never = event;
        throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  result(): Transition<D> {
    return {
      state: this.s,
      send: this.send,
      wakeAt: wakeAt(this.s),
      history: this.history,
      ...(this.refused ? { refused: this.refused } : {}),
    };
  }

  private start(data: D) {
    if (this.s.current || this.s.done.length > 0)
      return this.log({ kind: 'ignored', detail: 'start: saga already started' });
    this.s.data = data;
    this.s.deadlineAt = this.ctx.now + this.engine.def.deadlineMs;
    this.s.queue = this.engine.def.forward.map((a) => ({ action: a.name, phase: 'forward' as const }));
    this.log({ kind: 'started' });
    this.next();
  }

  private reply(e: Extract<SagaEvent<D>, { type: 'reply' }>) {
    const cur = this.s.current;
    const via = e.via ? { via: e.via } : {};
    if (!cur || cur.commandId !== e.commandId) {
      // A duplicate, or a late reply to an action the saga has moved past: the effect, if any, is
      // covered (a timed-out action is compensated; a completed one was already counted).
      return this.log({
        kind: 'ignored',
        detail: `${e.outcome} reply: not awaited`,
        commandId: e.commandId,
        replyId: e.replyId,
        ...via,
      });
    }
    const ids = { action: cur.action, attempt: cur.attempt, commandId: e.commandId, replyId: e.replyId, ...via };
    if (e.outcome === 'SUCCESS') {
      this.log({ kind: 'succeeded', ...ids });
      // A stuck action answered after all (e.g. its service came back): carry on.
      if (this.s.status === 'NEEDS_ATTENTION') this.resume();
      if (cur.phase === 'forward') this.s.done.push(cur.action);
      return this.next();
    }
    if (this.s.status === 'NEEDS_ATTENTION')
      return this.log({ kind: 'refused', detail: `again: ${e.reason ?? 'FAILURE'}`, ...ids });
    const reason = e.reason ?? 'FAILURE';
    this.log({ kind: 'refused', detail: reason, ...ids });
    if (cur.phase === 'forward' && !this.afterPivot(cur.action)) return this.compensate(reason, false);
    this.needsAttention(`${cur.action} refused: ${reason}`);
  }

  private tick(unsent: boolean) {
    const cur = this.s.current;
    if (!active(this.s)) return;
    if (deadlineActive(this.s) && this.ctx.now >= this.s.deadlineAt) {
      this.log({ kind: 'deadline' });
      this.cancelInFlight('DEADLINE_EXCEEDED');
      return this.compensate('DEADLINE_EXCEEDED', true);
    }
    if (!cur || this.ctx.now < cur.dueAt) return;
    if (cur.waiting === 'backoff') return this.sendCurrent(cur.attempt + 1);
    if (unsent) {
      // An attempt's clock starts when its command leaves: a broker outage does not burn the budget
      // (the deadline, checked above, still bounds the saga).
      cur.dueAt = this.ctx.now + this.engine.action(cur.action).timeoutMs;
      return this.logCurrent('note', 'not sent yet (the broker is unreachable): its timer restarts');
    }
    this.logCurrent('attempt-failed', 'timed out');
    this.attemptFailed();
  }

  /** The attempt in flight failed: back off and retry within budget, or give up on the action. */
  private attemptFailed() {
    const cur = this.s.current!;
    const def = this.engine.action(cur.action);
    if (cur.attempt < def.retry.maxAttempts) {
      cur.waiting = 'backoff';
      cur.dueAt = this.ctx.now + backoffMs(def.retry, cur.attempt, this.ctx.random);
      return;
    }
    this.logCurrent('gave-up', `${cur.attempt} attempts without a reply`);
    if (cur.phase === 'forward' && !this.afterPivot(cur.action)) {
      // It may have acted without us hearing of it: compensate it too.
      return this.compensate(`RETRIES_EXHAUSTED:${cur.action}`, true);
    }
    this.needsAttention(`${cur.action}: ${cur.attempt} attempts without a reply`);
  }

  private operator(action: OperatorAction, note?: string) {
    const { status, current } = this.s;
    switch (action) {
      case 'retry':
        if (!current || !['RUNNING', 'COMPENSATING', 'NEEDS_ATTENTION'].includes(status)) {
          return this.refuse(`cannot retry a saga that is ${status}${current ? '' : ' with no step in progress'}`);
        }
        this.log({ kind: 'operator', action: current.action, detail: `retry${note ? ` (${note})` : ''}` });
        if (status === 'NEEDS_ATTENTION') this.resume();
        // A fresh budget: the operator believes the cause is fixed.
        return this.sendCurrent(status === 'NEEDS_ATTENTION' ? 1 : current.attempt + 1);
      case 'compensate':
        if (status !== 'RUNNING' || this.s.pastPivot) {
          return this.refuse(
            `cannot compensate a saga that is ${status}${this.s.pastPivot ? ' and past its pivot (it only goes forward)' : ''}`,
          );
        }
        this.log({ kind: 'operator', detail: `compensate${note ? ` (${note})` : ''}` });
        this.cancelInFlight('OPERATOR_COMPENSATED');
        return this.compensate('OPERATOR_COMPENSATED', true);
      case 'resolve':
        if (status !== 'NEEDS_ATTENTION')
          return this.refuse(`only a NEEDS_ATTENTION saga can be resolved; this one is ${status}`);
        this.s.status = 'RESOLVED';
        this.s.note = note ?? null;
        this.s.current = null;
        this.s.queue = [];
        return this.log({ kind: 'operator', detail: `resolve${note ? ` (${note})` : ''}` });
      default: {
        const unreachable: never = action;
        throw new Error(`unknown operator action ${String(unreachable)}`);
      }
    }
  }

  /** Undo what may have acted (reverse order), then close the saga as rejected. */
  private compensate(reason: string, includeCurrent: boolean) {
    const touched = [
      ...this.s.done,
      ...(includeCurrent && this.s.current?.phase === 'forward' ? [this.s.current.action] : []),
    ];
    const undo = touched
      .reverse()
      .map((name) => this.engine.action(name).undo?.name)
      .filter((c): c is string => c !== undefined);
    this.s.status = 'COMPENSATING';
    this.s.reason = reason;
    this.s.current = null;
    this.s.queue = [
      ...undo.map((action) => ({ action, phase: 'compensation' as const })),
      ...this.engine.def.closing.map((a) => ({ action: a.name, phase: 'closing' as const })),
    ];
    this.log({
      kind: 'status',
      detail: `compensating: ${reason}; ${undo.length ? `undo ${undo.join(', ')}` : 'nothing to undo'}`,
    });
    this.next();
  }

  /** The step in flight is abandoned (the deadline, an operator): it may have acted, so it is undone with the rest. */
  private cancelInFlight(reason: string) {
    const cur = this.s.current;
    if (cur?.phase === 'forward') this.logCurrent('cancelled', reason);
  }

  /** Parks the saga for a person; its reason (why it compensates) stays what it was. */
  private needsAttention(why: string) {
    this.s.status = 'NEEDS_ATTENTION';
    this.s.parked = why;
    this.log({ kind: 'status', detail: `needs attention: ${why}` });
  }

  /** Leaves NEEDS_ATTENTION for the phase its current action belongs to. */
  private resume() {
    this.s.status = this.s.current?.phase === 'forward' ? 'RUNNING' : 'COMPENSATING';
    this.s.parked = null;
  }

  /** Starts the next queued action, or finishes the saga when none is left. */
  private next() {
    const item = this.s.queue.shift();
    if (!item) {
      this.s.current = null;
      this.s.status = this.s.status === 'COMPENSATING' ? 'REJECTED' : 'COMPLETED';
      return this.log({ kind: 'status', detail: `saga ${this.s.status.toLowerCase()}` });
    }
    this.s.current = {
      action: item.action,
      phase: item.phase,
      commandId: `${this.s.sagaId}:${item.action}`,
      attempt: 0,
      waiting: 'reply',
      dueAt: 0,
    };
    if (this.engine.action(item.action).pivot) this.s.pastPivot = true;
    this.sendCurrent(1);
  }

  private sendCurrent(attempt: number) {
    const cur = this.s.current!;
    const def = this.engine.action(cur.action);
    cur.attempt = attempt;
    cur.waiting = 'reply';
    cur.dueAt = this.ctx.now + def.timeoutMs;
    this.send.push({
      commandId: cur.commandId,
      attempt,
      sagaId: this.s.sagaId,
      type: def.command,
      payload: def.payload(this.s.data, this.s.reason ?? undefined),
    });
    this.logCurrent('requested', `sent ${def.command}`);
  }

  private afterPivot(action: string): boolean {
    const forward = this.engine.def.forward;
    const pivot = forward.findIndex((a) => a.pivot);
    return pivot >= 0 && forward.findIndex((a) => a.name === action) > pivot;
  }

  private refuse(why: string) {
    this.refused = why;
  }

  private log(entry: HistoryEntry) {
    this.history.push(entry);
  }

  /** An entry about the action in flight: its name, attempt and command id. */
  private logCurrent(kind: HistoryEntry['kind'], detail?: string) {
    const cur = this.s.current!;
    this.log({
      kind,
      action: cur.action,
      attempt: cur.attempt,
      commandId: cur.commandId,
      ...(detail ? { detail } : {}),
    });
  }

  private ids(e: SagaEvent<D>) {
    return e.type === 'reply' ? { commandId: e.commandId, replyId: e.replyId } : {};
  }
}
