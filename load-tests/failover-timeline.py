#!/usr/bin/env python3
"""Where a traced failover's slow survivor reads spent their time.

    python3 load-tests/failover-timeline.py RUN_DIR API_LOG SILO_LOG [MIN_MS]

RUN_DIR is one run of `load-tests/run.sh failover --trace DIR` (DIR/runN, its reads.tsv); API_LOG and SILO_LOG are the
logs the run printed for the API and the surviving silo. For every survivor read of at least MIN_MS (40) from the kill
on: each request the API sent for it (the first and its copies), when the survivor addressed it, and when the survivor
queued its answer, in ms from the read's start.
"""
import datetime as dt
import re
import sys

run, api, silo = sys.argv[1:4]
min_ms = float(sys.argv[4]) if len(sys.argv) > 4 else 40


def at(s):
    return dt.datetime.strptime(s, "%H:%M:%S.%f")


def ms(a, b):
    return (b - a).total_seconds() * 1000


sent = {}  # asset -> [(time, message id, gateway)]
for line in open(api, errors="replace"):
    m = re.match(r"(\S+) trce: Orleans.Messaging.ClientMessageCenter.*Sending message .*->\[ asset/([^\]]+)\] .*GetAsync\(\) (#[0-9A-F]+) via gateway '([^']+)'", line)
    if m:
        sent.setdefault(m.group(2), []).append((at(m.group(1)), m.group(3), m.group(4)))
addressed, answered = {}, {}
for line in open(silo, errors="replace"):
    m = re.match(r"(\S+) dbug: Orleans.Runtime.Placement.PlacementService.*for grain asset/\S+ in cache for message .*sys.client.*GetAsync\(\) (#[0-9A-F]+)", line)
    if m:
        addressed[m.group(2)] = at(m.group(1))
        continue
    m = re.match(r"(\S+) trce: Orleans.Runtime.Messaging.Gateway\[\d+\] Queued message IsAlwaysInterleave Response \[\S+ asset/([^\]]+)\]", line)
    if m:
        answered.setdefault(m.group(2), []).append(at(m.group(1)))

for since, latency, asset, outcome, directory, lane, started in (l.rstrip("\n").split("\t") for l in list(open(f"{run}/reads.tsv"))[1:]):
    since, latency, start = float(since), float(latency), at(started)
    if latency < min_ms or since < 0:
        continue
    end = start + dt.timedelta(milliseconds=latency)
    print(f"{asset}: started {since:.0f} ms after the kill, answered in {latency:.0f} ms ({outcome})")
    for time, message, gateway in sent.get(asset, []):
        if not start - dt.timedelta(milliseconds=5) <= time <= end:
            continue
        got = addressed.get(message)
        line = f"  sent +{ms(start, time):.0f} via {gateway}"
        if got is None:
            print(line + "; not addressed by this silo")
            continue
        back = [t for t in answered.get(asset, []) if got <= t <= end + dt.timedelta(milliseconds=5)]
        print(line + f"; addressed +{ms(start, got):.0f}" + (f"; answer queued +{ms(start, back[0]):.0f}" if back else ""))
