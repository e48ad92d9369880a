-- Grain state. Unlike a shared server, SQLite can afford the whole grain key as the primary key, which turns
-- a write into one UPSERT statement. A missing key extension is stored as '' so the key never holds NULL.
-- Version is the ETag: an update must name the version it read.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NOT NULL,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NULL,
    PRIMARY KEY (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, ServiceId)
) WITHOUT ROWID;

-- The write returns exactly one row: the new version on success, or NULL when the insert or the
-- compare-and-swap update matched nothing (Orleans then raises InconsistentStateException).
-- A row is offered to the UPSERT only if the grain expects none (first write) or one exists (compare-and-swap),
-- so a writer holding a version whose row has since been deleted fails instead of silently recreating it.
-- Writes set the connection's sync mode first (Storage:SqliteSynchronous, NORMAL by default): in WAL mode a
-- NORMAL commit survives a process crash without an fsync per grain write. Every query also caps its
-- connection's page cache at 256 KiB: each pooled connection otherwise keeps 2 MB, and the OS caches the file.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey',
 'PRAGMA synchronous = {synchronous}; PRAGMA cache_size = -256;
  INSERT INTO OrleansStorage (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString,
                              ServiceId, PayloadBinary, ModifiedOn, Version)
  SELECT @GrainIdHash, @GrainTypeHash, @GrainIdN0, @GrainIdN1, @GrainTypeString, ifnull(@GrainIdExtensionString, ''''),
         @ServiceId, @PayloadBinary, datetime(''now''), 1
  WHERE @GrainStateVersion IS NULL OR EXISTS (
      SELECT 1 FROM OrleansStorage
      WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0
        AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
        AND GrainIdExtensionString = ifnull(@GrainIdExtensionString, '''') AND ServiceId = @ServiceId)
  ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, GrainIdExtensionString, ServiceId)
  DO UPDATE SET PayloadBinary = excluded.PayloadBinary, ModifiedOn = excluded.ModifiedOn, Version = Version + 1
     WHERE Version = @GrainStateVersion
  RETURNING Version AS NewGrainStateVersion;
  SELECT NULL AS NewGrainStateVersion WHERE changes() = 0;'),
('ReadFromStorageKey',
 'PRAGMA cache_size = -256;
  SELECT PayloadBinary, Version
  FROM OrleansStorage
  WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0
    AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString = ifnull(@GrainIdExtensionString, '''') AND ServiceId = @ServiceId;'),
('ClearStorageKey',
 'PRAGMA synchronous = {synchronous}; PRAGMA cache_size = -256;
  UPDATE OrleansStorage
  SET PayloadBinary = NULL, ModifiedOn = datetime(''now''), Version = Version + 1
  WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0
    AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString = ifnull(@GrainIdExtensionString, '''') AND ServiceId = @ServiceId
    AND Version = @GrainStateVersion
  RETURNING Version AS NewGrainStateVersion;
  SELECT NULL AS NewGrainStateVersion WHERE changes() = 0;'),
('DeleteStorageKey',
 'PRAGMA synchronous = {synchronous}; PRAGMA cache_size = -256;
  DELETE FROM OrleansStorage
  WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0
    AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString = ifnull(@GrainIdExtensionString, '''') AND ServiceId = @ServiceId
    AND Version = @GrainStateVersion
  RETURNING Version + 1 AS NewGrainStateVersion;
  SELECT NULL AS NewGrainStateVersion WHERE changes() = 0;')
-- Unchanged rows are not rewritten, so a restart with the same scripts leaves the file untouched.
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;
