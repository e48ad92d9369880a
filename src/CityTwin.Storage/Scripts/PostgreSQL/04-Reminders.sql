-- Durable reminders, one row per grain and reminder name; Version is the ETag.
CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      varchar(150)   NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey',
 'INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
  VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
  ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
  SET StartTime = EXCLUDED.StartTime, Period = EXCLUDED.Period, GrainHash = EXCLUDED.GrainHash,
      Version = OrleansRemindersTable.Version + 1
  RETURNING Version;'),
('ReadReminderRowsKey',
 'SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
  WHERE ServiceId = @ServiceId AND GrainId = @GrainId;'),
('ReadReminderRowKey',
 'SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
  WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;'),
('ReadRangeRows1Key',
 'SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
  WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;'),
('ReadRangeRows2Key',
 'SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
  WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);'),
('DeleteReminderRowKey',
 'WITH deleted AS (
      DELETE FROM OrleansRemindersTable
      WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
      RETURNING 1)
  SELECT count(*)::integer FROM deleted;'),
('DeleteReminderRowsKey',
 'DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText
    WHERE OrleansQuery.QueryText IS DISTINCT FROM EXCLUDED.QueryText; -- unchanged rows are not rewritten
