-- Up Migration
-- Typed history (issue 15): `cause` holds the entry's kind (contracts HISTORY_KINDS), `step` the
-- step it is about and `detail` its reason. Rows written before keep their prose in `cause`.
ALTER TABLE saga_view_history ADD COLUMN step text, ADD COLUMN detail text;

-- Down Migration
ALTER TABLE saga_view_history DROP COLUMN step, DROP COLUMN detail;
