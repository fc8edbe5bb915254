#!/usr/bin/env bash
# PPO on CartPole-v1 end to end (rollouts + updates), CleanRL ppo.py's configuration (4 envs x 128 steps, 4 epochs of
# 4 minibatches): McGrad's PpoTrainer (McGrad.Benchmarks `ppo`, Stopwatch), then CleanRL's ppo.py through
# benchmarks/reference/cleanrl_ppo.py, back to back on this machine; writes everything under
# benchmarks/results/<timestamp>-ppo/. Nothing of CleanRL is kept here. To include it, point at a prepared copy:
#   CLEANRL_PPO=/path/to/cleanrl/ppo.py   CleanRL's script
#   CLEANRL_PYTHONPATH=...               what it imports that Debian's python3-torch/python3-numpy do not provide
#                                         (Gymnasium's source; stand-ins for tyro and torch.utils.tensorboard)
# Optional: MCGRAD_STEPS (default 500000), CLEANRL_STEPS (default 100000), ROUNDS (default 1). Each round runs McGrad
# with the default runtime settings (mcgrad-N.json), McGrad with DOTNET_TieredPGO=0 (mcgrad-pgo-off-N.json: less JIT
# work during warm-up; same numerics), then CleanRL (cleanrl-N.json).
set -euo pipefail
cd "$(dirname "$0")/.."
out="benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)-ppo"
mkdir -p "$out"
mcgrad_steps="${MCGRAD_STEPS:-500000}"
cleanrl_steps="${CLEANRL_STEPS:-100000}"
{ echo "cores: $(nproc)"; grep -m1 'model name' /proc/cpuinfo; echo "load: $(cat /proc/loadavg)"; dotnet --version; } > "$out/machine.txt"
dotnet build -c Release benchmarks/McGrad.Benchmarks > /dev/null
for round in $(seq 1 "${ROUNDS:-1}"); do
  echo "round $round mcgrad start: $(cat /proc/loadavg)" >> "$out/machine.txt"
  dotnet run -c Release --no-build --project benchmarks/McGrad.Benchmarks -- ppo "$mcgrad_steps" 1 > "$out/mcgrad-$round.json"
  echo "round $round mcgrad (TieredPGO off) start: $(cat /proc/loadavg)" >> "$out/machine.txt"
  DOTNET_TieredPGO=0 dotnet run -c Release --no-build --project benchmarks/McGrad.Benchmarks -- ppo "$mcgrad_steps" 1 > "$out/mcgrad-pgo-off-$round.json"
  if [ -n "${CLEANRL_PPO:-}" ]; then
    echo "round $round cleanrl start: $(cat /proc/loadavg)" >> "$out/machine.txt"
    PYTHONPATH="${CLEANRL_PYTHONPATH:-}" /usr/bin/python3 benchmarks/reference/cleanrl_ppo.py "$CLEANRL_PPO" --total-timesteps "$cleanrl_steps" > "$out/cleanrl-$round.json"
  fi
done
echo "load after: $(cat /proc/loadavg)" >> "$out/machine.txt"
cat "$out"/*.json
echo "results in $out"
