-- Asset grains' state, one row an asset, written many rows a statement by the silo's asset store (group commit)
-- instead of one grain storage write a grain. Stamp orders writes: a row is replaced only by a newer stamp, so a
-- batch that was cut into chunks (or a retry) can never put an older state over a newer one.
CREATE TABLE IF NOT EXISTS citytwin_asset
(
    service_id varchar(150) NOT NULL,
    id         varchar(512) NOT NULL,
    stamp      bigint       NOT NULL,
    payload    bytea        NOT NULL,
    PRIMARY KEY (service_id, id)
);
