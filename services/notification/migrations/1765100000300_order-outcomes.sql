-- Up Migration
-- The fate and the customer of each order, learnt from order.events (OrderApproved /
-- OrderRejected): a notification that contradicts the order's outcome, or names another customer,
-- is refused; one for an order whose outcome is not heard yet waits (ADR 0012).
CREATE TABLE order_outcomes (
  order_id     text PRIMARY KEY,
  outcome      text NOT NULL CHECK (outcome IN ('APPROVED', 'REJECTED')),
  customer_id  text,
  at           timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE order_outcomes;
