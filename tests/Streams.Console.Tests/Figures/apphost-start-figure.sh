#!/usr/bin/env bash
# What the app host's start-to-all-healthy would gain from running built executables instead of `dotnet run` per
# resource (Aspire 13 launches a project resource as `dotnet run --no-build --project P`). Not a test: prints timings.
# Starts broker, registry and worker as the app host does (registry after the broker is healthy, worker after both),
# once with `dotnet run --no-build --project` and once with `dotnet <built dll>`, `runs` times each, alternating.
# Usage: tests/Streams.Console.Tests/Figures/apphost-start-figure.sh [runs]   (after building src/Streams.AppHost)
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
runs=${1:-3}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do pkill -KILL -P "$p" 2>/dev/null || true; kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms() { date +%s%3N; }

launch() { # mode project args...  (cwd: the project's directory, as the orchestrator runs it)
  local mode=$1 project=$2; shift 2
  local dir="$here/src/$project"
  cd "$dir"
  if [[ $mode == run ]]; then
    exec dotnet run --no-build --no-launch-profile --project "$dir/$project.csproj" -- "$@"
  else
    exec dotnet "$dir/bin/Debug/net10.0/$project.dll" "$@"
  fi
}
# `dotnet run` starts the app as its child: stop the child (by its parent's id), then the launcher.
stop() { pkill -KILL -P "$1" 2>/dev/null || true; kill -KILL "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

once() {
  local mode=$1 bport rport wport start broker registry worker t_broker t_registry t_worker
  bport=$(free_port); rport=$(free_port); wport=$(free_port)
  start=$(ms)
  (launch "$mode" Streams.Broker --listen "127.0.0.1:$bport" --data-dir "$work/$mode-$start/broker") >"$work/broker.log" 2>&1 &
  broker=$!; pids+=("$broker")
  until kcat -b "127.0.0.1:$bport" -L -m 1 >/dev/null 2>&1; do sleep 0.05; done; t_broker=$(( $(ms) - start ))
  (launch "$mode" Streams.Registry --listen "http://127.0.0.1:$rport" --kafka "127.0.0.1:$bport") >"$work/registry.log" 2>&1 &
  registry=$!; pids+=("$registry")
  until curl -sf -o /dev/null "http://127.0.0.1:$rport/health"; do sleep 0.05; done; t_registry=$(( $(ms) - start ))
  (export Kafka__BootstrapServers="127.0.0.1:$bport" SchemaRegistry__Url="http://127.0.0.1:$rport" Streams__HttpUrl="http://127.0.0.1:$wport" \
    Streams__DataDirectory="$work/$mode-$start/worker"; launch "$mode" Streams.Worker) >"$work/worker.log" 2>&1 &
  worker=$!; pids+=("$worker")
  until curl -sf -o /dev/null "http://127.0.0.1:$wport/health/ready"; do sleep 0.05; done; t_worker=$(( $(ms) - start ))
  echo "mode=$mode broker_ms=$t_broker registry_ms=$t_registry all_healthy_ms=$t_worker"
  for p in "$worker" "$registry" "$broker"; do stop "$p"; done
}

for run in $(seq "$runs"); do once run; once built; done
