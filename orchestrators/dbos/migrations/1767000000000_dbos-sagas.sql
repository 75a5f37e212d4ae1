-- Up Migration
-- The list the operator API pages through (GET /sagas?status=): one row per saga, written by the
-- workflow's `status` steps when the saga's status changes or it passes the pivot. DBOS keeps the
-- saga's steps itself (schema dbos, the same database); the timeline is read from them.
CREATE TABLE dbos_sagas (
  id            text        PRIMARY KEY,
  status        text        NOT NULL,
  current_step  text,
  reason        text,
  past_pivot    boolean     NOT NULL DEFAULT false,
  -- An operator's compensate asked before the pivot (its request id): the pivot step and the
  -- operator API decide in this row which came first.
  compensate_asked text,
  deadline_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dbos_sagas_status ON dbos_sagas (status, created_at);

-- Down Migration
DROP TABLE dbos_sagas;
