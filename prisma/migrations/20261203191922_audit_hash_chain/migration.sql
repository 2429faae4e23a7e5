-- Tamper-evident audit log (issue 13): every row carries the previous row's hash and sha256 over that and its own
-- content, set here by the database so every `auditLog.create` in the product is chained without knowing it.
-- packages/api/src/services/auditChain.ts recomputes the same bytes; change both together or neither.
-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN     "hash" CHAR(64),
ADD COLUMN     "prevHash" CHAR(64);

-- One field of the hashed text: 'N' for NULL, else 'S' <byte length> ':' <text>, so no value can imitate another split.
CREATE FUNCTION "audit_log_field"(value text) RETURNS text AS $$
  SELECT CASE WHEN value IS NULL THEN 'N' ELSE 'S' || octet_length(value) || ':' || value END
$$ LANGUAGE sql IMMUTABLE;

-- sha256(prevHash '\n' fields) in hex. data is JSONB, whose text form is canonical (sorted keys, fixed spacing);
-- createdAt counts as epoch milliseconds (the column keeps milliseconds).
CREATE FUNCTION "audit_log_hash"(prev_hash text, entry "AuditLog") RETURNS text AS $$
  SELECT encode(sha256(convert_to(
    prev_hash || E'\n'
      || "audit_log_field"(entry."id"::text)
      || "audit_log_field"(entry."actorId"::text)
      || "audit_log_field"(entry."action")
      || "audit_log_field"(entry."targetType")
      || "audit_log_field"(entry."targetId")
      || "audit_log_field"(entry."data"::text)
      || "audit_log_field"((extract(epoch FROM entry."createdAt") * 1000)::bigint::text)
      || "audit_log_field"(entry."ip"),
    'UTF8')), 'hex')
$$ LANGUAGE sql STABLE;

-- Rows written before this migration: chained in id order from the genesis value (64 zeros).
ALTER TABLE "AuditLog" DISABLE TRIGGER "AuditLog_append_only";
DO $$
DECLARE
  entry "AuditLog";
  prev text := repeat('0', 64);
BEGIN
  FOR entry IN SELECT * FROM "AuditLog" ORDER BY "id" LOOP
    UPDATE "AuditLog" SET "prevHash" = prev, "hash" = "audit_log_hash"(prev, entry) WHERE "id" = entry."id";
    prev := "audit_log_hash"(prev, entry);
  END LOOP;
END;
$$;
ALTER TABLE "AuditLog" ENABLE TRIGGER "AuditLog_append_only";

-- Writers take turns (transaction-scoped lock, released at commit) so each sees the row before it. The id is drawn
-- again under the lock: the column default drew one before it, and id order must be chain order for verification.
CREATE FUNCTION "audit_log_chain"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1635083369); -- 'audi' as int4: this lock's key and no one else's
  NEW."id" := nextval(pg_get_serial_sequence('"AuditLog"', 'id'));
  SELECT "hash" INTO NEW."prevHash" FROM "AuditLog" ORDER BY "id" DESC LIMIT 1;
  NEW."prevHash" := coalesce(NEW."prevHash", repeat('0', 64));
  NEW."hash" := "audit_log_hash"(NEW."prevHash", NEW);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditLog_chain"
  BEFORE INSERT ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_chain"();

-- Append-only covers TRUNCATE too (UPDATE and DELETE: migration 20261122003700_audit_log_append_only).
CREATE TRIGGER "AuditLog_no_truncate"
  BEFORE TRUNCATE ON "AuditLog"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_is_append_only"();
