-- Grain state. Rows are found by the two hashes (indexed) and disambiguated by the full grain id.
-- Version is the ETag: every write must name the version it read, so a stale writer fails instead of
-- overwriting a newer state.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer       NOT NULL,
    GrainIdN0              bigint        NOT NULL,
    GrainIdN1              bigint        NOT NULL,
    GrainTypeHash          integer       NOT NULL,
    GrainTypeString        varchar(512)  NOT NULL,
    GrainIdExtensionString varchar(512)  NULL,
    ServiceId              varchar(150)  NOT NULL,
    PayloadBinary          bytea         NULL,
    ModifiedOn             timestamp     NOT NULL,
    Version                integer       NULL
);
CREATE INDEX IF NOT EXISTS IX_OrleansStorage ON OrleansStorage USING btree (GrainIdHash, GrainTypeHash);

-- Insert (expected version NULL) or compare-and-swap update; returns the new version, or the old one when
-- nothing matched (Orleans then reports an inconsistent state).
-- The table has no unique key (the hashes are the index, the strings only resolve collisions), so two
-- activations of one grain (possible while membership settles) could both pass NOT EXISTS and insert twice,
-- after which every read of that grain fails. A transaction-scoped advisory lock on the two hashes serialises
-- first inserts of the same grain; the second then sees the first's row and reports the conflict.
CREATE OR REPLACE FUNCTION citytwin_write_grain_state(
    p_idhash integer, p_n0 bigint, p_n1 bigint, p_typehash integer, p_type varchar, p_ext varchar,
    p_service varchar, p_version integer, p_payload bytea)
RETURNS TABLE (NewGrainStateVersion integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_result integer := p_version;
    v_rows   integer := 0;
BEGIN
    IF p_version IS NULL THEN
        PERFORM pg_advisory_xact_lock(p_typehash, p_idhash);
        INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
                                    GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT p_idhash, p_n0, p_n1, p_typehash, p_type, p_ext, p_service, p_payload, now() AT TIME ZONE 'utc', 1
        WHERE NOT EXISTS (
            SELECT 1 FROM OrleansStorage s
            WHERE s.GrainIdHash = p_idhash AND s.GrainTypeHash = p_typehash
              AND s.GrainIdN0 = p_n0 AND s.GrainIdN1 = p_n1 AND s.GrainTypeString = p_type
              AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_ext AND s.ServiceId = p_service);
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        IF v_rows > 0 THEN v_result := 1; END IF;
    ELSE
        UPDATE OrleansStorage s
        SET PayloadBinary = p_payload, ModifiedOn = now() AT TIME ZONE 'utc', Version = s.Version + 1
        WHERE s.GrainIdHash = p_idhash AND s.GrainTypeHash = p_typehash
          AND s.GrainIdN0 = p_n0 AND s.GrainIdN1 = p_n1 AND s.GrainTypeString = p_type
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_ext AND s.ServiceId = p_service
          AND s.Version = p_version;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        IF v_rows > 0 THEN v_result := p_version + 1; END IF;
    END IF;
    RETURN QUERY SELECT v_result;
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey',
 'SELECT * FROM citytwin_write_grain_state(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
      @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary);'),
('ReadFromStorageKey',
 'SELECT PayloadBinary, Version
  FROM OrleansStorage
  WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString AND ServiceId = @ServiceId;'),
('ClearStorageKey',
 'UPDATE OrleansStorage
  SET PayloadBinary = NULL, ModifiedOn = now() AT TIME ZONE ''utc'', Version = Version + 1
  WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString AND ServiceId = @ServiceId
    AND Version = @GrainStateVersion
  RETURNING Version AS NewGrainStateVersion;'),
('DeleteStorageKey',
 'DELETE FROM OrleansStorage
  WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString AND ServiceId = @ServiceId
    AND Version = @GrainStateVersion
  RETURNING Version + 1 AS NewGrainStateVersion;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText
    WHERE OrleansQuery.QueryText IS DISTINCT FROM EXCLUDED.QueryText; -- unchanged rows are not rewritten
