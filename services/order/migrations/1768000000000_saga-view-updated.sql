-- Up Migration
-- The operator API's list (issue 17, the Saga Explorer): "stuck longest first" (by the last
-- change), and the choreography's customer filter, which finds the customer's orders.
CREATE INDEX saga_view_status_updated ON saga_view (status, updated_at);
CREATE INDEX orders_customer ON orders (customer_id);

-- Down Migration
DROP INDEX orders_customer;
DROP INDEX saga_view_status_updated;
