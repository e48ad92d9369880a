-- The audit log: one row a command (who, which role, what, target, status before and after, when, outcome). A row
-- is written "pending" before the command runs and completed after, so no command runs without its row.
CREATE TABLE IF NOT EXISTS CityTwinAudit
(
    Seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    ServiceId TEXT    NOT NULL,
    At        INTEGER NOT NULL, -- Unix milliseconds
    Actor     TEXT    NOT NULL,
    ActorName TEXT    NOT NULL,
    Role      TEXT    NOT NULL,
    Action    TEXT    NOT NULL,
    Target    TEXT    NOT NULL,
    Before    TEXT    NULL,
    After     TEXT    NULL,
    Outcome   TEXT    NOT NULL,
    Detail    TEXT    NULL
);
CREATE INDEX IF NOT EXISTS IX_CityTwinAudit_At ON CityTwinAudit (ServiceId, At);
CREATE INDEX IF NOT EXISTS IX_CityTwinAudit_Actor ON CityTwinAudit (ServiceId, Actor, Seq);
CREATE INDEX IF NOT EXISTS IX_CityTwinAudit_Target ON CityTwinAudit (ServiceId, Target, Seq);
