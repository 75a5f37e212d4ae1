-- Up Migration
-- Where each event the saga view heard travelled (contracts MessageRoute, issue 17): its topic,
-- partition and offset. Rows written before have none.
ALTER TABLE saga_view_history ADD COLUMN via jsonb;

-- Down Migration
ALTER TABLE saga_view_history DROP COLUMN via;
