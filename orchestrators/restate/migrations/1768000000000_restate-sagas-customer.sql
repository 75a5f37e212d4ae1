-- Up Migration
-- The operator API's list filters and orders (issue 17, the Saga Explorer): the order's customer
-- (null for a saga listed before this column) and "stuck longest first" (by the last change).
ALTER TABLE restate_sagas ADD COLUMN customer_id text;
CREATE INDEX restate_sagas_customer ON restate_sagas (customer_id);
CREATE INDEX restate_sagas_status_updated ON restate_sagas (status, updated_at);

-- Down Migration
DROP INDEX restate_sagas_status_updated;
DROP INDEX restate_sagas_customer;
ALTER TABLE restate_sagas DROP COLUMN customer_id;
