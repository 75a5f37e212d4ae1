-- Up Migration
-- The fate of each order, learnt from order.events (OrderApproved / OrderRejected): after
-- approval its payment is not voided, after rejection nothing is held for it (ADR 0012).
CREATE TABLE order_outcomes (
  order_id  text PRIMARY KEY,
  outcome   text NOT NULL CHECK (outcome IN ('APPROVED', 'REJECTED')),
  at        timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE order_outcomes;
