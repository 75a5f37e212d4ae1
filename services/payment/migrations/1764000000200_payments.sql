-- Up Migration
-- Money is integer cents. held_cents is the sum of this customer's HELD holds.
CREATE TABLE customers (
  id                  text   PRIMARY KEY,
  credit_limit_cents  bigint NOT NULL CHECK (credit_limit_cents >= 0),
  held_cents          bigint NOT NULL DEFAULT 0 CHECK (held_cents >= 0),
  CHECK (held_cents <= credit_limit_cents)
);

-- One hold per order (saga). A VOIDED hold with amount 0 is a tombstone: the saga was
-- compensated before its AuthorizePayment arrived, which must then not hold anything.
CREATE TABLE holds (
  order_id      text   PRIMARY KEY,
  customer_id   text   NOT NULL,
  amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
  status        text   NOT NULL CHECK (status IN ('HELD', 'VOIDED')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE holds;
DROP TABLE customers;
