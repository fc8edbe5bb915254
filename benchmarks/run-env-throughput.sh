#!/usr/bin/env bash
# Raw environment throughput: McGrad's 64-copy vector CartPole (BenchmarkDotNet VectorEnvBenchmark, plus a Stopwatch
# timing of the single env) and Gymnasium's CartPole (benchmarks/reference/gymnasium_cartpole.py) in one run on this
# machine; writes everything under benchmarks/results/<timestamp>-env/. Needs Debian's python3-numpy and Gymnasium's
# source: GYMNASIUM_SRC=/path/to/Gymnasium (a checkout; nothing of it is kept here).
set -euo pipefail
cd "$(dirname "$0")/.."
out="benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)-env"
mkdir -p "$out"
{ echo "cores: $(nproc)"; grep -m1 'model name' /proc/cpuinfo; echo "load: $(cat /proc/loadavg)"; dotnet --version; } > "$out/machine.txt"
if [ -n "${GYMNASIUM_SRC:-}" ]; then
  PYTHONPATH="$GYMNASIUM_SRC" /usr/bin/python3 benchmarks/reference/gymnasium_cartpole.py > "$out/gymnasium.json"
fi
dotnet run -c Release --project benchmarks/McGrad.Benchmarks -- env-throughput > "$out/stopwatch.txt"
dotnet run -c Release --project benchmarks/McGrad.Benchmarks -- --filter '*VectorEnvBenchmark*' --exporters markdown --artifacts "$out/bdn" "$@" | tail -30 > "$out/bdn-summary.txt"
echo "load after: $(cat /proc/loadavg)" >> "$out/machine.txt"
echo "results in $out"
