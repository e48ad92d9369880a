-- Cluster membership (the extended Orleans membership protocol): one version row per cluster, bumped by
-- every membership change, so concurrent changes are compare-and-swap on that version.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- 1 when this call created the cluster's version row, 0 when it already existed.
CREATE OR REPLACE FUNCTION citytwin_insert_membership_version(p_deployment varchar)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql AS $$
DECLARE v_rows integer;
BEGIN
    INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (p_deployment)
    ON CONFLICT (DeploymentId) DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN QUERY SELECT v_rows;
END
$$;

-- Adds a silo row and bumps the version, both or neither: 1 on success, 0 if the row existed or the
-- version moved on.
CREATE OR REPLACE FUNCTION citytwin_insert_membership(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer, p_silo varchar, p_host varchar,
    p_status integer, p_proxy integer, p_start timestamptz, p_alive timestamptz, p_version integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql AS $$
DECLARE v_rows integer;
BEGIN
    INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName, Status,
                                        ProxyPort, StartTime, IAmAliveTime)
    VALUES (p_deployment, p_address, p_port, p_generation, p_silo, p_host, p_status, p_proxy, p_start, p_alive)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN RETURN QUERY SELECT 0; RETURN; END IF;
    UPDATE OrleansMembershipVersionTable
    SET Timestamp = now(), Version = Version + 1
    WHERE DeploymentId = p_deployment AND Version = p_version;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN RAISE EXCEPTION 'membership version moved on' USING ERRCODE = 'P0001'; END IF;
    RETURN QUERY SELECT 1;
EXCEPTION WHEN SQLSTATE 'P0001' THEN
    RETURN QUERY SELECT 0; -- the insert above is rolled back with the exception block
END
$$;

CREATE OR REPLACE FUNCTION citytwin_update_membership(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer, p_status integer,
    p_suspects varchar, p_alive timestamptz, p_version integer)
RETURNS TABLE (row_count integer)
LANGUAGE plpgsql AS $$
DECLARE v_rows integer;
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Timestamp = now(), Version = Version + 1
    WHERE DeploymentId = p_deployment AND Version = p_version;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN RETURN QUERY SELECT 0; RETURN; END IF;
    UPDATE OrleansMembershipTable
    SET Status = p_status, SuspectTimes = p_suspects, IAmAliveTime = p_alive
    WHERE DeploymentId = p_deployment AND Address = p_address AND Port = p_port AND Generation = p_generation;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    IF v_rows = 0 THEN RAISE EXCEPTION 'no such silo row' USING ERRCODE = 'P0001'; END IF;
    RETURN QUERY SELECT 1;
EXCEPTION WHEN SQLSTATE 'P0001' THEN
    RETURN QUERY SELECT 0; -- the version bump is rolled back with the exception block
END
$$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpdateIAmAlivetimeKey',
 'UPDATE OrleansMembershipTable SET IAmAliveTime = @IAmAliveTime
  WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;'),
('InsertMembershipVersionKey',
 'SELECT * FROM citytwin_insert_membership_version(@DeploymentId);'),
('InsertMembershipKey',
 'SELECT * FROM citytwin_insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
      @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);'),
('UpdateMembershipKey',
 'SELECT * FROM citytwin_update_membership(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
      @IAmAliveTime, @Version);'),
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
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText
    WHERE OrleansQuery.QueryText IS DISTINCT FROM EXCLUDED.QueryText; -- unchanged rows are not rewritten
