-- Up Migration
-- Exactly one notification per order and kind, whatever the redeliveries.
CREATE TABLE notifications (
  order_id     text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('confirmed', 'rejected')),
  customer_id  text NOT NULL,
  message      text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, kind)
);

-- Down Migration
DROP TABLE notifications;
