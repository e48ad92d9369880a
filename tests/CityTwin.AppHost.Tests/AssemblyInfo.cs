// Each collection boots a whole AppHost (silos, API, Prometheus, maybe PostgreSQL): one at a time on two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
