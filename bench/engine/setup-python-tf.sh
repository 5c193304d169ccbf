#!/usr/bin/env bash
# Installs Python TensorFlow (CPU) for the engine bench's comparison (bench/engine/train_step_tf.py),
# from the same tensorflow-cpu wheel that scripts/install-native-tf.sh cached to build tfjs-node's
# libtensorflow, so both sides run the same TensorFlow version. Its dependencies come from PyPI.
# Idempotent: does nothing when `import tensorflow` already works. Not part of the test setup.
set -euo pipefail
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}"
VERSION="${SPNAS_TF_WHEEL_VERSION:-2.18.0}"
PY="${PYTHON:-python3}"

if "$PY" -c "import tensorflow" >/dev/null 2>&1; then
  echo "[setup-python-tf] tensorflow $("$PY" -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null) already importable; nothing to do"
  exit 0
fi
whl=$(ls "$CACHE/wheels/tensorflow_cpu-$VERSION-"*.whl 2>/dev/null | head -n1 || true)
if [ -z "$whl" ]; then
  echo "[setup-python-tf] no cached tensorflow_cpu-$VERSION wheel in $CACHE/wheels; run scripts/install-native-tf.sh first (it downloads it)" >&2
  exit 1
fi
echo "[setup-python-tf] installing $(basename "$whl") (dependencies from PyPI)"
"$PY" -m pip install --quiet "$whl"
"$PY" -c "import tensorflow as tf; print('[setup-python-tf] tensorflow', tf.__version__, 'ready')"
