-- Asset grains' state, one row an asset, written many rows a transaction by the silo's asset store (group commit)
-- instead of one grain storage write a grain. Stamp orders writes: a row is replaced only by a newer stamp, so a
-- batch that was cut into chunks (or a retry) can never put an older state over a newer one.
CREATE TABLE IF NOT EXISTS CityTwinAsset
(
    ServiceId TEXT    NOT NULL,
    Id        TEXT    NOT NULL,
    Stamp     INTEGER NOT NULL,
    Payload   BLOB    NOT NULL,
    PRIMARY KEY (ServiceId, Id)
) WITHOUT ROWID;
