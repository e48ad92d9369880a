-- CityTwin schema for the Orleans ADO.NET providers on PostgreSQL: the query registry.
-- Orleans reads every query it runs from OrleansQuery by key; parameter names (@X) and result column names
-- are the providers' contract. Every script here is idempotent: silos run them at each start.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
