#!/usr/bin/env bash
# Start the whole system locally (sets up what it needs first). Flags go to `python -m cluster.up`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
exec python -m cluster.up "$@"
