#!/usr/bin/env bash
# Overview page render time with many topics and groups vs few (issue 18's figure). Not a test: prints timings.
# Usage: tests/Streams.Console.Tests/Figures/overview-figure.sh [runs]   (after building src/Streams.Cli)
# For each size (10 topics / 5 groups, 200 topics / 50 groups): a fresh `streams broker`, topics auto-created by kcat
# (3 partitions, 20 records each), groups committed by kcat's balanced consumer, then `runs` times a fresh
# `streams console`: the first GET / (cold: JIT, plus the first cluster sample the page waits for) and the median of
# 20 GET / after it (warm: the sampler's snapshot, every 2 s in the background).
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
cli="$here/src/Streams.Cli/bin/Debug/net10.0/streams.dll"
runs=${1:-3}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

measure() {
  local topics=$1 groups=$2 port bootstrap broker
  port=$(free_port); bootstrap="127.0.0.1:$port"
  dotnet "$cli" broker --listen "$bootstrap" --data-dir "$work/broker-$topics" --set num.partitions=3 >"$work/broker-$topics.log" 2>&1 &
  broker=$!; pids+=("$broker")
  for _ in $(seq 300); do kcat -b "$bootstrap" -L -m 1 >/dev/null 2>&1 && break; sleep 0.1; done
  for t in $(seq "$topics"); do seq 20 | kcat -b "$bootstrap" -P -t "figure-topic-$t"; done
  local batch=()
  for g in $(seq "$groups"); do
    timeout 60 kcat -b "$bootstrap" -G "figure-group-$g" "figure-topic-$g" -c 10 -e -q >/dev/null 2>&1 &
    batch+=($!)
    if (( ${#batch[@]} == 10 )); then wait "${batch[@]}" || true; batch=(); fi
  done
  (( ${#batch[@]} == 0 )) || wait "${batch[@]}" || true
  for run in $(seq "$runs"); do
    local cport url cold warm console
    cport=$(free_port); url="http://127.0.0.1:$cport"
    dotnet "$cli" console --listen "$url" --bootstrap "$bootstrap" --registry http://127.0.0.1:9 >"$work/console.log" 2>&1 &
    console=$!
    wait_http "$url/console/assets/console.css"
    cold=$(curl -s -o "$work/page.html" -w '%{time_total}' "$url/")
    local rows groupsShown
    rows=$(grep -o 'data-topic="figure-topic-' "$work/page.html" | wc -l); groupsShown=$(grep -o 'data-group="figure-group-' "$work/page.html" | wc -l)
    warm=$(for _ in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' "$url/"; done | sort -n | sed -n 10p)
    echo "topics=$topics groups=$groups run=$run shown=$rows/$groupsShown cold_s=$cold warm_median_s=$warm bytes=$(wc -c <"$work/page.html")"
    kill -KILL "$console"; wait "$console" 2>/dev/null || true
  done
  kill -KILL "$broker"; wait "$broker" 2>/dev/null || true
}

measure 10 5
measure 200 50
