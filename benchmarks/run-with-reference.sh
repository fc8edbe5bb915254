#!/usr/bin/env bash
# Measures McGrad (BenchmarkDotNet) and the PyTorch reference (shared/bench/torch_ref.py) in one run on this
# machine, and writes everything under benchmarks/results/<timestamp>/. Needs Debian's python3-torch.
# PyTorch runs twice: as installed, and with OPENBLAS_CORETYPE=SkylakeX (Debian's torch uses the system OpenBLAS,
# which falls back to pre-AVX2 kernels on CPUs it does not recognise, as McGrad's native path would without its hint).
set -euo pipefail
cd "$(dirname "$0")/.."
out="benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
ref="${TORCH_REF:-../shared/bench/torch_ref.py}"
{ echo "cores: $(nproc)"; grep -m1 'model name' /proc/cpuinfo; echo "load: $(cat /proc/loadavg)"; dotnet --version; } > "$out/machine.txt"
for threads in 1 2; do
  /usr/bin/python3 "$ref" --threads "$threads" > "$out/torch-threads$threads.json"
  OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 "$ref" --threads "$threads" > "$out/torch-skylakex-threads$threads.json"
done
dotnet run -c Release --project benchmarks/McGrad.Benchmarks -- --filter '*' --join --exporters markdown --artifacts "$out/bdn" "$@" | tail -60 > "$out/bdn-summary.txt"
echo "load after: $(cat /proc/loadavg)" >> "$out/machine.txt"
echo "results in $out"
