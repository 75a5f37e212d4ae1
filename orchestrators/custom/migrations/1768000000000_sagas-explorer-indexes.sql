-- Up Migration
-- The operator API's list filters and orders (issue 17, the Saga Explorer): by customer (kept in
-- the saga's data) and "stuck longest first" (the sagas not finished, by their last change).
CREATE INDEX sagas_customer ON sagas ((data ->> 'customerId'));
CREATE INDEX sagas_status_updated ON sagas (status, updated_at);

-- Down Migration
DROP INDEX sagas_status_updated;
DROP INDEX sagas_customer;
