#!/usr/bin/env bash
# Runs every benchmark against Release builds of the real processes and writes load-tests/results/*.md.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build CityTwin.sln -c Release -v quiet -nologo
dotnet run -c Release --no-build --project load-tests/CityTwin.LoadTests -- "$@"
