-- Up Migration
-- Delivery is at least once: a notification is recorded with its command, handed to the channel
-- after the commit and marked delivered; one not marked (the process died in between) is handed
-- over again, under the same idempotency key, which the channel honours. Rows from before were
-- delivered when they were written.
ALTER TABLE notifications ADD COLUMN delivered_at timestamptz;
UPDATE notifications SET delivered_at = created_at;
CREATE INDEX notifications_undelivered ON notifications (created_at) WHERE delivered_at IS NULL;

-- Down Migration
DROP INDEX notifications_undelivered;
ALTER TABLE notifications DROP COLUMN delivered_at;
