#!/usr/bin/env bash
# Run the whole test suite (sets up what it needs first). Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
exec python -m pytest -q -p no:cacheprovider "$@"
