-- Up Migration
-- Kafka transport: the activity that sent a command waits (async completion) until its reply
-- arrives; this maps the command id to the task token of its latest attempt, so whichever
-- worker instance consumes the reply can complete the activity.
CREATE TABLE pending_commands (
  command_id  text        PRIMARY KEY,
  task_token  bytea       NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE pending_commands;
