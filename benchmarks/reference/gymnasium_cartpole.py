#!/usr/bin/env python3
"""Gymnasium's CartPole-v1 throughput, the reference for McGrad's VectorEnvBenchmark (docs/performance.md).

Needs numpy (Debian: python3-numpy) and Gymnasium's source on PYTHONPATH, e.g.
    git clone https://github.com/Farama-Foundation/Gymnasium && PYTHONPATH=Gymnasium /usr/bin/python3 gymnasium_cartpole.py
Measures, with uniformly random actions (short episodes, frequent resets, as at the start of training):
  single: gym.make("CartPole-v1") stepped one action at a time, reset when done;
  sync64: gym.make_vec(..., 64, vectorization_mode="sync")   (SyncVectorEnv over 64 Python envs, NEXT_STEP autoreset);
  vec64:  gym.make_vec(..., 64, vectorization_mode="vector_entry_point") (CartPoleVectorEnv, numpy over the batch).
Prints one JSON object: env steps per second for each.
"""
import json
import time

import numpy as np
import gymnasium as gym


def best_rate(fn, steps_per_call, seconds=2.0, reps=3):
    for _ in range(200):
        fn()
    best = 0.0
    for _ in range(reps):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            fn()
            n += 1
        best = max(best, n * steps_per_call / (time.perf_counter() - t0))
    return best


def main():
    rng = np.random.default_rng(0)
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    acts = rng.integers(0, 2, size=1 << 16)
    i = [0]

    def single():
        a = int(acts[i[0] & 0xFFFF])
        i[0] += 1
        _, _, term, trunc, _ = env.step(a)
        if term or trunc:
            env.reset()

    out = {"gymnasium_single_steps_per_s": best_rate(single, 1)}
    for mode, name in (("sync", "gymnasium_sync64_steps_per_s"), ("vector_entry_point", "gymnasium_vec64_steps_per_s")):
        venv = gym.make_vec("CartPole-v1", num_envs=64, vectorization_mode=mode)
        venv.reset(seed=0)
        batch = rng.integers(0, 2, size=(256, 64))
        j = [0]

        def vstep():
            venv.step(batch[j[0] & 255])
            j[0] += 1

        out[name] = best_rate(vstep, 64)
        venv.close()
    out["numpy"] = np.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
