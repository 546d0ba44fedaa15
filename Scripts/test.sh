#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test, including those against the real xenstored.
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/setup.sh
swift build
swift test
