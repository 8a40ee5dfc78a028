#!/usr/bin/env bash
# Pull-request CI for an estream-pants monorepo: build, test and verify only what changed since
# BASE, and everything that depends on it (a schema edit re-packages the packages that require
# its types, and no others).
#
#   build-support/ci/changed.sh BASE [GOAL...]
#
# BASE is a git ref (e.g. `origin/main`, or the merge base: `$(git merge-base origin/main HEAD)`);
# GOALs default to `package test verify`. Run from the build root; PANTS selects the launcher
# (default `./pants`). CI should also run Pants without the daemon (PANTS_PANTSD=false).
# When nothing changed, Pants has no targets to run and exits 0.
set -euo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: $0 BASE [GOAL...]   (e.g. $0 origin/main)" >&2
  exit 2
fi
base="$1"
shift
if ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
  echo "error: BASE \`${base}\` is not a commit of this repository
  help: fetch it first (e.g. \`git fetch origin main\`, and a deep enough clone)" >&2
  exit 2
fi
[ $# -gt 0 ] || set -- package test verify

exec "${PANTS:-./pants}" \
  --changed-since="${base}" \
  --changed-dependents=transitive \
  "$@"
