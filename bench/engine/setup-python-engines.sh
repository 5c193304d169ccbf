#!/usr/bin/env bash
# A Python venv for the three-engine bench (bench/engine/engines.ts): TensorFlow (CPU) from the same
# tensorflow-cpu wheel that scripts/install-native-tf.sh cached to build tfjs-node's libtensorflow (so
# both run the same TensorFlow), and PyTorch from PyPI. PyPI's x86_64 torch wheel is the CUDA build:
# it needs its nvidia-* library packages to import (several GB) but runs its CPU kernels (oneDNN,
# OpenMP) without a GPU. Not part of the test setup. Idempotent.
#   bash bench/engine/setup-python-engines.sh        # venv at $SPNAS_CACHE_DIR/bench-venv (~/.cache/spnas)
set -euo pipefail
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}"
VENV="$CACHE/bench-venv"
VERSION="${SPNAS_TF_WHEEL_VERSION:-2.18.0}"
PY="${PYTHON:-python3}"

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
if ! "$VENV/bin/python" -c "import tensorflow" >/dev/null 2>&1; then
  whl=$(ls "$CACHE/wheels/tensorflow_cpu-$VERSION-"*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$whl" ]; then
    echo "[setup-python-engines] no cached tensorflow_cpu-$VERSION wheel in $CACHE/wheels; run scripts/install-native-tf.sh first (it downloads it)" >&2
    exit 1
  fi
  echo "[setup-python-engines] installing $(basename "$whl") (dependencies from PyPI)"
  "$VENV/bin/pip" install --quiet "$whl"
fi
if ! "$VENV/bin/python" -c "import torch" >/dev/null 2>&1; then
  echo "[setup-python-engines] installing torch from PyPI (with its CUDA library packages: several GB)"
  "$VENV/bin/pip" install --quiet torch
fi
"$VENV/bin/python" -c "import tensorflow as tf, torch; print('[setup-python-engines] tensorflow', tf.__version__, '/ torch', torch.__version__, 'ready in $VENV')"
