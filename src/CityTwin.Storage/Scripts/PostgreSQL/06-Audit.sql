-- The audit log: one row a command (who, which role, what, target, status before and after, when, outcome). A row
-- is written "pending" before the command runs and completed after, so no command runs without its row.
CREATE TABLE IF NOT EXISTS citytwin_audit
(
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id varchar(150)  NOT NULL,
    at         timestamptz   NOT NULL,
    actor      varchar(300)  NOT NULL,
    actor_name varchar(300)  NOT NULL,
    role       varchar(100)  NOT NULL,
    action     varchar(100)  NOT NULL,
    target     varchar(512)  NOT NULL,
    before     varchar(1000) NULL,
    after      varchar(1000) NULL,
    outcome    varchar(100)  NOT NULL,
    detail     varchar(2000) NULL
);
CREATE INDEX IF NOT EXISTS ix_citytwin_audit_at ON citytwin_audit (service_id, at);
CREATE INDEX IF NOT EXISTS ix_citytwin_audit_actor ON citytwin_audit (service_id, actor, seq);
CREATE INDEX IF NOT EXISTS ix_citytwin_audit_target ON citytwin_audit (service_id, target, seq);
