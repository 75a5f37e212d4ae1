-- Up Migration
-- The list the operator API pages through (GET /sagas?status=): one row per saga, written by the
-- workflow's `status` steps when the saga's status changes. Restate keeps the saga's journal,
-- state and promises itself (in its server); the timeline is the workflow's own state.
CREATE TABLE restate_sagas (
  id            text        PRIMARY KEY,
  status        text        NOT NULL,
  current_step  text,
  reason        text,
  past_pivot    boolean     NOT NULL DEFAULT false,
  deadline_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX restate_sagas_status ON restate_sagas (status, created_at);

-- Down Migration
DROP TABLE restate_sagas;
