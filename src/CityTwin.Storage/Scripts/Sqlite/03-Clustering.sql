-- Cluster membership on SQLite, for several silo processes on one machine sharing the file (the Orleans ADO.NET
-- clustering provider loads Microsoft.Data.Sqlite for the invariant "System.Data.SQLite"; Orleans ships no SQLite
-- clustering script, so this is ours, written to the same query contract as PostgreSQL/03-Clustering.sql).
-- One version row per cluster, bumped by every membership change: concurrent changes are compare-and-swap on it.
-- Times are TEXT as Microsoft.Data.Sqlite writes a DateTime ('yyyy-MM-dd HH:mm:ss.FFFFFFF', UTC), which sorts
-- like the instant, so IAmAliveTime < @IAmAliveTime compares times.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId TEXT    NOT NULL PRIMARY KEY,
    Timestamp    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    Version      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId TEXT    NOT NULL,
    Address      TEXT    NOT NULL,
    Port         INTEGER NOT NULL,
    Generation   INTEGER NOT NULL,
    SiloName     TEXT    NOT NULL,
    HostName     TEXT    NOT NULL,
    Status       INTEGER NOT NULL,
    ProxyPort    INTEGER NULL,
    SuspectTimes TEXT    NULL,
    StartTime    TEXT    NOT NULL,
    IAmAliveTime TEXT    NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
) WITHOUT ROWID;

-- A silo row and the version move together. PostgreSQL does this in a function; SQLite has none, but a statement
-- and the triggers it fires are one atomic unit, and SQLite runs write statements one at a time, re-reading if
-- another process committed in between. So the insert or update below checks the version it was given and the
-- trigger bumps it, both or neither. IAmAlive heartbeats set only IAmAliveTime and do not move the version (as in
-- the Orleans protocol); Orleans' updates always set Status and SuspectTimes.
CREATE TRIGGER IF NOT EXISTS OrleansMembershipInserted AFTER INSERT ON OrleansMembershipTable
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = strftime('%Y-%m-%d %H:%M:%f', 'now')
    WHERE DeploymentId = NEW.DeploymentId;
END;

CREATE TRIGGER IF NOT EXISTS OrleansMembershipUpdated AFTER UPDATE OF Status, SuspectTimes ON OrleansMembershipTable
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = strftime('%Y-%m-%d %H:%M:%f', 'now')
    WHERE DeploymentId = NEW.DeploymentId;
END;

-- changes() counts the rows the statement itself changed (not its triggers'): 1 on success, 0 when the row
-- existed, was missing, or the version had moved on.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpdateIAmAlivetimeKey',
 'UPDATE OrleansMembershipTable SET IAmAliveTime = @IAmAliveTime
  WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;'),
('InsertMembershipVersionKey',
 'INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
  ON CONFLICT (DeploymentId) DO NOTHING;
  SELECT changes();'),
('InsertMembershipKey',
 'INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
                                     StartTime, IAmAliveTime)
  SELECT @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
  WHERE EXISTS (SELECT 1 FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId AND Version = @Version)
  ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
  SELECT changes();'),
('UpdateMembershipKey',
 'UPDATE OrleansMembershipTable SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
  WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
    AND EXISTS (SELECT 1 FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId AND Version = @Version);
  SELECT changes();'),
('MembershipReadRowKey',
 'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
         m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT OUTER JOIN OrleansMembershipTable m ON v.DeploymentId = m.DeploymentId
       AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
  WHERE v.DeploymentId = @DeploymentId;'),
('MembershipReadAllKey',
 'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
         m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT OUTER JOIN OrleansMembershipTable m ON v.DeploymentId = m.DeploymentId
  WHERE v.DeploymentId = @DeploymentId;'),
('DeleteMembershipTableEntriesKey',
 'DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
  DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;'),
('GatewaysQueryKey',
 'SELECT Address, ProxyPort, Generation FROM OrleansMembershipTable
  WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;'),
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM OrleansMembershipTable
  WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status != 3;')
-- Unchanged rows are not rewritten, so a restart with the same scripts leaves the file untouched.
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText WHERE QueryText <> excluded.QueryText;
