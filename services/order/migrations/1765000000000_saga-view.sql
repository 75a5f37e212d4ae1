-- Up Migration
-- ORCHESTRATOR=choreography (ADR 0018): the order service keeps a view of each choreographed saga,
-- built from the facts (events) the services publish, owns its deadline and serves the operator API.
CREATE TABLE saga_view (
  id           text PRIMARY KEY,
  status       text NOT NULL,
  current_step text,
  past_pivot   boolean NOT NULL DEFAULT false,
  facts        text[] NOT NULL DEFAULT '{}',
  -- The last event of each fact (topic and message): what an operator retry publishes again.
  events       jsonb NOT NULL DEFAULT '{}',
  reason       text,
  parked       text,
  note         text,
  deadline_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saga_view_status_created ON saga_view (status, created_at);
CREATE INDEX saga_view_deadline ON saga_view (deadline_at) WHERE deadline_at IS NOT NULL;

CREATE TABLE saga_view_history (
  id        bigserial PRIMARY KEY,
  saga_id   text NOT NULL,
  at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  cause     text NOT NULL,
  event     text,
  message_id text,
  -- When the service that acted published it (events reach the view in no order between topics).
  occurred_at timestamptz,
  status    text NOT NULL
);
CREATE INDEX saga_view_history_saga ON saga_view_history (saga_id, id);

-- Down Migration
DROP TABLE saga_view_history;
DROP TABLE saga_view;
