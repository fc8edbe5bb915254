#!/usr/bin/env python3
"""Runs CleanRL's ppo.py (CartPole-v1, its defaults: 4 envs x 128 steps) and reports its throughput as JSON, the
reference for McGrad's PPO end-to-end benchmark (docs/performance.md, benchmarks/run-ppo-reference.sh).

Nothing of CleanRL is kept here: pass the path of an already prepared ppo.py, with whatever it imports (torch,
Gymnasium, tyro, torch.utils.tensorboard) importable through PYTHONPATH, e.g.
    PYTHONPATH=<deps> /usr/bin/python3 cleanrl_ppo.py /path/to/cleanrl/ppo.py --total-timesteps 100000
Prints one JSON object: CleanRL's own final "SPS" line (global_step / wall time since its start_time, rollouts and
updates), the steps/s after its first iteration (from the arrival times of its SPS lines), and the versions.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ppo", help="path to CleanRL's cleanrl/ppo.py")
    p.add_argument("--total-timesteps", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    batch = 4 * 128  # CleanRL's num_envs x num_steps defaults; one SPS line per iteration
    cmd = [sys.executable, "-u", os.path.abspath(a.ppo), "--total-timesteps", str(a.total_timesteps), "--seed", str(a.seed)]
    sps, stamps = [], []
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:
            m = re.match(r"SPS: (\d+)", line)
            if m:
                stamps.append(time.perf_counter())
                sps.append(int(m.group(1)))
        if proc.wait() != 0 or not sps:
            sys.exit(f"cleanrl_ppo.py: {' '.join(cmd)} failed (exit {proc.returncode}, {len(sps)} SPS lines)")
    after_first = (len(stamps) - 1) * batch / (stamps[-1] - stamps[0]) if len(stamps) > 1 else float("nan")
    versions = subprocess.run(
        [sys.executable, "-c", "import torch, numpy, gymnasium; print(torch.__version__, numpy.__version__, gymnasium.__version__, torch.get_num_threads())"],
        capture_output=True, text=True, check=True).stdout.split()
    print(json.dumps({
        "env": "CartPole-v1", "envs": 4, "steps_per_rollout": 128, "iterations": len(sps), "steps": len(sps) * batch,
        "steps_per_s": sps[-1], "steps_per_s_after_first_update": round(after_first),
        "torch": versions[0], "numpy": versions[1], "gymnasium": versions[2], "torch_threads": int(versions[3]),
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
