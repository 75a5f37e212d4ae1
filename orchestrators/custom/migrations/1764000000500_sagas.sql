-- Up Migration
-- One row per saga instance. `state` is the engine's state (current step, queue, done steps);
-- `wake_at` is the saga's timer: the next moment it must be looked at (step timeout, backoff,
-- deadline), polled with FOR UPDATE SKIP LOCKED by every orchestrator instance.
CREATE TABLE sagas (
  id            text        PRIMARY KEY,
  definition    text        NOT NULL,
  status        text        NOT NULL,
  current_step  text,
  data          jsonb       NOT NULL,
  state         jsonb       NOT NULL,
  version       int         NOT NULL,
  deadline_at   timestamptz,
  wake_at       timestamptz,
  reason        text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sagas_wake ON sagas (wake_at) WHERE wake_at IS NOT NULL;
CREATE INDEX sagas_status ON sagas (status, created_at);

-- Every transition, for inspection: when, why, and which command / reply.
CREATE TABLE saga_history (
  id           bigserial   PRIMARY KEY,
  saga_id      text        NOT NULL REFERENCES sagas (id),
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  cause        text        NOT NULL,
  from_status  text,
  to_status    text        NOT NULL,
  step         text,
  command_id   text,
  reply_id     text,
  detail       text,
  instance     text
);
CREATE INDEX saga_history_saga ON saga_history (saga_id, id);

-- Down Migration
DROP TABLE saga_history;
DROP TABLE sagas;
