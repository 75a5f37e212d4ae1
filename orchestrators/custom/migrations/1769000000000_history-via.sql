-- Up Migration
-- Where each command and reply travelled (contracts MessageRoute, issue 17): the outbox and the
-- command's topic, or the HTTP request; a reply's topic, partition and offset, or the response.
-- Rows written before have none.
ALTER TABLE saga_history ADD COLUMN via jsonb;

-- Down Migration
ALTER TABLE saga_history DROP COLUMN via;
