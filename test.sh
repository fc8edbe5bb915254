#!/usr/bin/env bash
# McGrad's test command (the README's): installs the optional test prerequisites when it can, then runs `dotnet test`.
#
#   ./test.sh [dotnet test arguments...]
#
# Prerequisites: libopenblas0-pthread (native GEMM path), dataset-fashion-mnist (the real-data test), python3-sklearn (its
# data files: diabetes, breast cancer, digits, iris, wine for the Xu et al. tests), chromium (the Lab report's browser test). As root they are installed with apt-get; otherwise the tests that need a missing one are
# reported as SKIPPED with the reason (never as passed). With MCGRAD_REQUIRE_ALL=1 (CI sets it) a missing component
# fails those tests instead, and a failed installation stops here.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need=()
ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0' || need+=(libopenblas0-pthread)
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || [ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte ] || need+=(dataset-fashion-mnist)
[ -f /usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv ] || need+=(python3-sklearn)
[ -x /usr/bin/chromium ] || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "== installing test prerequisites: ${need[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }; then
      echo "warning: could not install ${need[*]}"
      if [ "${MCGRAD_REQUIRE_ALL:-}" = 1 ]; then
        echo "error: MCGRAD_REQUIRE_ALL=1 and prerequisites are missing"
        exit 1
      fi
    fi
  else
    echo "== not root (or no apt-get): ${need[*]} not installed; the tests that need them will be SKIPPED with the reason"
  fi
fi

exec dotnet test "$@"
