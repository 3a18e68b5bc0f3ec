#!/usr/bin/env bash
# Full-size GPU check with random weights (no download), < 10 minutes on one H100/H200:
#   model-repository/xcomposer-7b/gpu-check/run.sh          (GPU)
#   model-repository/xcomposer-7b/gpu-check/run.sh --tiny   (CPU smoke test)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
exec timeout 590 "$python" "$here/gpu_check.py" "$@"
