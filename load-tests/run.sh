#!/usr/bin/env bash
# Runs every benchmark against Release builds of the real processes and writes load-tests/results/*.md.
# Suites: foundation (default), cascades, scenarios, models (the Domain models, in process; builds only what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "models" ]]; then
  dotnet build load-tests/CityTwin.LoadTests -c Release -v quiet -nologo
else
  dotnet build CityTwin.sln -c Release -v quiet -nologo
fi
dotnet run -c Release --no-build --project load-tests/CityTwin.LoadTests -- "$@"
