-- Up Migration
-- The relay is woken after the writer's commit (outboxAppended), no longer by a NOTIFY inside it:
-- PostgreSQL serialises the commits of all notifying transactions on one cluster-wide lock held
-- through the WAL flush, so the trigger queued every outbox writer's commit behind the others (ADR 0015).
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();

-- Down Migration
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
