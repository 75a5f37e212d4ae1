-- Up Migration
-- A reply that arrived when its attempt had already timed out (e.g. delayed by a consumer-group
-- rebalance) is kept here, so the next attempt of the same command returns it at once instead of
-- waiting for another reply within its own timeout (ADR 0008, chaos soak).
ALTER TABLE pending_commands ADD COLUMN result jsonb;

-- Down Migration
ALTER TABLE pending_commands DROP COLUMN result;
