-- Up Migration
-- The operator API's list filters and orders (issue 17, the Saga Explorer): the order's customer
-- (null for a saga listed before this column) and "stuck longest first" (by the last change).
ALTER TABLE dbos_sagas ADD COLUMN customer_id text;
CREATE INDEX dbos_sagas_customer ON dbos_sagas (customer_id);
CREATE INDEX dbos_sagas_status_updated ON dbos_sagas (status, updated_at);

-- Down Migration
DROP INDEX dbos_sagas_status_updated;
DROP INDEX dbos_sagas_customer;
ALTER TABLE dbos_sagas DROP COLUMN customer_id;
