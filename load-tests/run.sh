#!/usr/bin/env bash
# Runs a benchmark against Release builds of the real processes and writes load-tests/results/<suite>.md:
#   load-tests/run.sh [foundation] [--assets N] [--rate R] [--seconds S]   the foundation's figures
#   load-tests/run.sh cascades [--repetitions 20] [--seconds 30]          cascade latency, stream throughput
#   load-tests/run.sh alarms [--assets 10000]                            alarms an operator must handle: root-cause groups vs
#                                                                         the flat list, for a link cut, a feeder outage, a controller fault
#   load-tests/run.sh models [--repeats 21]                               the Domain models, in process, one thread
#   load-tests/run.sh od [--seeds 20]                                     OD estimation from counts on a known ground truth
#   load-tests/run.sh failover [--runs 5] [--postgres "Host=…"] [--trace DIR]  failover; PostgreSQL from --postgres or
#                                                                         $CITYTWIN_TEST_POSTGRES, else SQLite
#   load-tests/run.sh soak [--minutes 30] [--kill-every 5] [--rate 2000] [--postgres "Host=…"]
#                                                                         mixed load with a silo killed and restarted: lost, errors,
#                                                                         memory and read p99 per minute
#   load-tests/run.sh outage [--runs 3] [--seconds 30] [--assets 1000]   PostgreSQL stopped under commands and ingest:
#                                                                         answers by status, recovery, nothing acknowledged lost
#   load-tests/run.sh scrape [--assets 1000000]                           /metrics series and scrape time on a big silo
#   load-tests/run.sh scenarios [--runs 20]                               scenario API round trip, 1,024-intersection district
#   load-tests/run.sh sweeps [--seeds 10]                                  a sweep of 10 demand levels x N seeds of that district on one
#                                                                         silo, then two; variants/s per core vs one variant run alone
#   load-tests/run.sh optimise [--evaluations 60]                         signal-plan search on a corridor of 8 junctions of that
#                                                                         district: delay under the current plans, Webster's, the best
#   load-tests/run.sh sumo [--seeds 3]                                     the traffic model against SUMO on the exported 10 x 10 grid
#                                                                         (apt-get install sumo): time loss, its changes, wall time
#   load-tests/run.sh queries [--assets 1000000] [--rate 5000] [--restarted] [--idle S] [--trace DIR]
#                                                                         GET by id, bbox, near, stats, read-model staleness
#   load-tests/run.sh restart [--assets 1000000] [--postgres]             a big city's silo killed and restarted on SQLite (and
#                                                                         PostgreSQL): back healthy, counted, whole; memory
#   load-tests/run.sh feed [--assets 10000] [--subscribers 100] [--rate 200] [--seconds 30]   live feed: POST → SSE latency
#   load-tests/run.sh ingest [--assets 100000] [--batch 2000] [--seconds 20] [--postgres "Host=…"]
#                                                                         telemetry readings/s (HTTP batch, MQTT) vs a PostgreSQL baseline
#   load-tests/run.sh auth [--assets 100000] [--rate 2000] [--seconds 20] [--rounds 3]
#                                                                         GET by id with an API key vs authentication off
#   load-tests/run.sh fuzz [--requests 50000] [--assets 2000] [--seed 15] [--minutes 20]
#                                                                         hostile requests: no 5xx, problems only, no state change
#   load-tests/run.sh console [--assets 100000] [--moves 100] [--rate 1000] [--seconds 60] [--faults 0] [--profile DIR]
#                                                                         the console in headless chromium: first draw, pan/zoom, feed
#   load-tests/run.sh screenshots [--assets 10000]                       the README's console screenshots (docs/images/*.png)
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/CityTwin.Silo src/CityTwin.Api load-tests/CityTwin.LoadTests load-tests/CityTwin.Baseline.Ingest; do
  dotnet build "$project" -c Release -v quiet -nologo
done
dotnet run -c Release --no-build --project load-tests/CityTwin.LoadTests -- "$@"
