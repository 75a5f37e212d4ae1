-- Up Migration
-- Typed history (issue 15): `cause` holds the entry's kind (contracts HISTORY_KINDS), `detail` its
-- reason, and `attempt` the attempt it belongs to. Rows written before keep their prose in `cause`
-- (the operator API shows them as kind `note`).
ALTER TABLE saga_history ADD COLUMN attempt integer;

-- Down Migration
ALTER TABLE saga_history DROP COLUMN attempt;
