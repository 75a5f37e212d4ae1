-- Up Migration
CREATE TABLE orders (
  id               text   PRIMARY KEY,
  customer_id      text   NOT NULL,
  lines            jsonb  NOT NULL,
  total_cents      bigint NOT NULL CHECK (total_cents >= 0),
  status           text   NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
  reason           text,
  idempotency_key  text   UNIQUE,
  request_hash     text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_status_created ON orders (status, created_at);

CREATE TABLE order_status_history (
  id        bigserial PRIMARY KEY,
  order_id  text NOT NULL REFERENCES orders (id),
  status    text NOT NULL,
  reason    text,
  at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_status_history_order ON order_status_history (order_id, id);

-- Down Migration
DROP TABLE order_status_history;
DROP TABLE orders;
