-- CityTwin schema for the Orleans ADO.NET grain storage on SQLite (the embedded, single-machine default).
-- Orleans reads the queries it runs from OrleansQuery by key; parameter names (@X) and result column names
-- are the provider's contract. Idempotent: the silo runs it at every start.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
