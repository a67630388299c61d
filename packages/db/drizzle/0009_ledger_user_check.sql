-- ledger_entries.user_id keeps the foreign key's guarantee (every entry's user exists, and a user
-- with entries can be neither deleted nor renumbered) with one check per insert statement instead
-- of one per row: the persister inserts a batch's entries (thousands) in one statement, and the
-- per-row foreign key check was about a tenth of its CPU (PGlite and Postgres alike). As the
-- foreign key does, the insert side locks each user FOR KEY SHARE, so a concurrent delete of the
-- user waits for the inserting transaction (and then fails here), or makes the insert fail.
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_user_id_users_id_fk";--> statement-breakpoint
CREATE FUNCTION ledger_entries_users_exist() RETURNS trigger AS $$
DECLARE
  wanted bigint;
  found bigint;
BEGIN
  SELECT count(DISTINCT n.user_id) INTO wanted FROM new_entries n;
  SELECT count(*) INTO found FROM (
    SELECT 1 FROM users u WHERE u.id IN (SELECT n.user_id FROM new_entries n) FOR KEY SHARE OF u
  ) locked;
  IF found <> wanted THEN
    RAISE EXCEPTION 'insert on ledger_entries: % of its users are not in users', wanted - found
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_users_exist
  AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_users_exist();
--> statement-breakpoint
CREATE FUNCTION users_ledger_entries_restrict() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id IS NOT DISTINCT FROM OLD.id THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT 1 FROM ledger_entries l WHERE l.user_id = OLD.id) THEN
    RAISE EXCEPTION '% on users: user % still has ledger entries', TG_OP, OLD.id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_ledger_entries_restrict
  BEFORE DELETE OR UPDATE OF id ON users
  FOR EACH ROW EXECUTE FUNCTION users_ledger_entries_restrict();
