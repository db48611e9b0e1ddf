#!/usr/bin/env bash
# Installs what fl4j needs from this machine's package manager: Fashion-MNIST from Debian's
# dataset-fashion-mnist package (IDX files under /usr/share/datasets/fashion-mnist).
# Does nothing when it is already there; without root or apt-get it says how to get it.
set -euo pipefail
QUIET=0
[[ "${1:-}" == "--quiet" ]] && QUIET=1
DIR=/usr/share/datasets/fashion-mnist

if [[ -f "$DIR/train-images-idx3-ubyte.gz" || -f "$DIR/train-images-idx3-ubyte" ]]; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  [[ $QUIET -eq 1 ]] || echo "setup: installing dataset-fashion-mnist (Debian)" >&2
  if ! apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 || \
      echo "setup: could not install dataset-fashion-mnist; fl4j will try its cache and the download address" >&2
  fi
else
  [[ $QUIET -eq 1 ]] || echo "setup: Fashion-MNIST not found in $DIR; install it with: sudo apt-get install dataset-fashion-mnist" >&2
fi
exit 0
