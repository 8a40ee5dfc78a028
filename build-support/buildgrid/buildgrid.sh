#!/usr/bin/env bash
# Run a BuildGrid REAPI server (CAS + action cache) on loopback, for Pants' remote cache.
#
#   buildgrid.sh install                       install BuildGrid into the per-user cache (once)
#   buildgrid.sh start STATE_DIR [--port N] [--config FILE] [--max-lifetime SECONDS]
#                                              start it, wait until it answers, print its address;
#                                              with --max-lifetime a watchdog stops it after that
#                                              long even if nobody calls stop (tests, benchmarks)
#   buildgrid.sh stop STATE_DIR                stop the server started with STATE_DIR (by its pid)
#   buildgrid.sh address STATE_DIR             print the address of a running server
#
# STATE_DIR holds the pid (bgd.pid), the address, the log (bgd.log) and the disk CAS (cas/).
# Without --port a free loopback port is picked. Then point Pants at it:
#   ESTREAM_REMOTE_CACHE="$(build-support/buildgrid/buildgrid.sh start /tmp/bgd)" \
#     ./pants --pants-config-files=pants.remote-cache.toml package ::
#
# BuildGrid needs CPython >= 3.11 (found via $ESTREAM_BUILDGRID_PYTHON, PATH, then pyenv); it is
# installed from PyPI, pinned by constraints.txt, into $ESTREAM_PANTS_CACHE (default
# ~/.cache/estream-pants), outside any build root, under a lock so parallel runs do not race.
set -euo pipefail

BUILDGRID_VERSION="0.4.4"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONSTRAINTS="$HERE/constraints.txt"
DEFAULT_CONFIG="$HERE/cache.yml"
CACHE_ROOT="${ESTREAM_PANTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/estream-pants}"
VENV="$CACHE_ROOT/buildgrid-${BUILDGRID_VERSION}-venv"
# Every wait is bounded (seconds).
START_TIMEOUT="${ESTREAM_BGD_START_TIMEOUT:-60}"
STOP_TIMEOUT=15

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
log() { printf '[buildgrid] %s\n' "$*" >&2; }

is_py311_plus() {
  [ -n "$1" ] && [ -x "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null
}

find_python() {
  local candidate
  if [ -n "${ESTREAM_BUILDGRID_PYTHON:-}" ]; then
    is_py311_plus "$ESTREAM_BUILDGRID_PYTHON" && { echo "$ESTREAM_BUILDGRID_PYTHON"; return; }
    die "ESTREAM_BUILDGRID_PYTHON=$ESTREAM_BUILDGRID_PYTHON is not a CPython >= 3.11"
  fi
  for candidate in python3.11 python3.12 python3.13 python3; do
    candidate="$(command -v "$candidate" 2>/dev/null || true)"
    # pyenv shims answer for versions they do not select: resolve to the real interpreter.
    if [ -n "$candidate" ] && is_py311_plus "$candidate"; then
      "$candidate" -c 'import sys; print(sys.executable)'; return
    fi
  done
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  for candidate in "$pyenv_root"/versions/3.1[1-9]*/bin/python3; do
    is_py311_plus "$candidate" && { echo "$candidate"; return; }
  done
  die "BuildGrid ${BUILDGRID_VERSION} needs CPython >= 3.11, and none was found.
  help: install one (e.g. \`pyenv install 3.11\`), or point ESTREAM_BUILDGRID_PYTHON at it."
}

constraints_sum() { sha256sum "$CONSTRAINTS" | cut -d' ' -f1; }

venv_ok() { [ -f "$VENV/.complete" ] && [ "$(cat "$VENV/.complete")" = "$(constraints_sum)" ]; }

install() {
  venv_ok && return 0
  mkdir -p "$CACHE_ROOT"
  exec 8>"$CACHE_ROOT/.buildgrid-bootstrap.lock"
  # Bounded: a stuck installer elsewhere must not hang a test forever.
  flock -w 600 8 || die "timed out waiting for another BuildGrid install ($CACHE_ROOT/.buildgrid-bootstrap.lock)"
  if ! venv_ok; then
    local python
    python="$(find_python)"
    log "installing buildgrid==${BUILDGRID_VERSION} with ${python} into ${VENV}"
    rm -rf "$VENV"
    "$python" -m venv "$VENV" >&2
    # The machine's pip config (constraints, extra indexes) must not pick BuildGrid's deps. The
    # CA bundle must still be the machine's: behind a TLS-inspecting proxy, pip's own (certifi)
    # rejects PyPI, and a test sandbox passes no PIP_CERT (pants.toml's ca_certs_path is the same
    # Debian bundle).
    local cert=()
    local bundle="${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}"
    [ -f "$bundle" ] && cert=(--cert "$bundle")
    PIP_CONFIG_FILE=/dev/null "$VENV/bin/pip" install --quiet --disable-pip-version-check "${cert[@]}" \
      -c "$CONSTRAINTS" "buildgrid==${BUILDGRID_VERSION}" >&2 \
      || die "pip could not install buildgrid==${BUILDGRID_VERSION}; see the output above"
    constraints_sum >"$VENV/.complete"
  fi
  exec 8>&-
}

free_port() {
  "$VENV/bin/python" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# True if the pid in STATE_DIR is alive and is a BuildGrid server (not a recycled pid).
running_pid() {
  local pid_file="$1/bgd.pid" pid
  [ -f "$pid_file" ] || return 1
  pid="$(cat "$pid_file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'bgd server start' || return 1
  echo "$pid"
}

# Alive and not a zombie (a child that exited is a zombie until reaped, and kill -0 succeeds).
alive() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# True if PID itself listens on 127.0.0.1:PORT (so a reply on that port is from our server, not
# from another one that holds the port: ours then fails to bind and exits).
owns_port() {
  local pid="$1" hex inode
  hex="$(printf '%04X' "$2")"
  for inode in $(awk -v suffix=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == suffix { print $10 }' \
                   /proc/net/tcp /proc/net/tcp6 2>/dev/null); do
    if find "/proc/$pid/fd" -maxdepth 1 -lname "socket:\[$inode\]" 2>/dev/null | grep -q .; then
      return 0
    fi
  done
  return 1
}

answers() {
  timeout 20 "$VENV/bin/bgd" capabilities --remote "http://$1" --instance-name "" >/dev/null 2>&1
}

start() {
  local state_dir="" port="" config="$DEFAULT_CONFIG" max_lifetime=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --config) config="$2"; shift 2 ;;
      --max-lifetime) max_lifetime="$2"; shift 2 ;;
      -*) die "unknown option $1" ;;
      *) [ -z "$state_dir" ] || die "one STATE_DIR only"; state_dir="$1"; shift ;;
    esac
  done
  [ -n "$state_dir" ] || die "usage: buildgrid.sh start STATE_DIR [--port N] [--config FILE]"
  [ -f "$config" ] || die "no BuildGrid config at $config"
  if [ -n "$max_lifetime" ] && ! [[ "$max_lifetime" =~ ^[1-9][0-9]*$ ]]; then
    die "--max-lifetime takes a number of seconds, got '$max_lifetime'"
  fi
  install
  mkdir -p "$state_dir"
  state_dir="$(cd "$state_dir" && pwd)"
  config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
  if running_pid "$state_dir" >/dev/null; then
    die "a BuildGrid server is already running for $state_dir (pid $(cat "$state_dir/bgd.pid"))"
  fi

  local attempt chosen pid deadline
  for attempt in 1 2 3; do
    chosen="${port:-$(free_port)}"
    : >"$state_dir/bgd.log"
    ESTREAM_BGD_PORT="$chosen" ESTREAM_BGD_DATA="$state_dir" \
      nohup "$VENV/bin/bgd" server start "$config" >>"$state_dir/bgd.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$state_dir/bgd.pid"
    deadline=$((SECONDS + START_TIMEOUT))
    while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do
      if owns_port "$pid" "$chosen" && answers "127.0.0.1:$chosen"; then
        echo "grpc://127.0.0.1:$chosen" >"$state_dir/address"
        [ -z "$max_lifetime" ] || start_watchdog "$state_dir" "$pid" "$max_lifetime"
        log "BuildGrid (pid $pid) serves 127.0.0.1:$chosen, data in $state_dir"
        echo "grpc://127.0.0.1:$chosen"
        return 0
      fi
      sleep 0.5
    done
    if alive "$pid"; then
      stop "$state_dir"
      die "BuildGrid did not answer on 127.0.0.1:$chosen within ${START_TIMEOUT}s; log: $state_dir/bgd.log"
    fi
    rm -f "$state_dir/bgd.pid"
    # The picked port was taken in between: try another one; a --port given is not retried.
    if [ -z "$port" ] && grep -qi 'failed to bind\|address already in use' "$state_dir/bgd.log"; then
      log "port $chosen was taken, retrying ($attempt/3)"
      continue
    fi
    if grep -qi 'failed to bind\|address already in use' "$state_dir/bgd.log"; then
      die "127.0.0.1:$chosen is already in use by another process
  help: pass another --port, or none to use a free one; log: $state_dir/bgd.log"
    fi
    break
  done
  tail -n 30 "$state_dir/bgd.log" >&2 || true
  die "BuildGrid exited during start-up; log: $state_dir/bgd.log"
}

# Stops the server after SECONDS; exits by itself (within a second) once the server is gone.
start_watchdog() {
  local state_dir="$1" pid="$2" seconds="$3"
  nohup /bin/bash -c '
    is_bgd() { tr "\0" " " <"/proc/$1/cmdline" 2>/dev/null | grep -q "bgd server start"; }
    for ((i = 0; i < $3; i++)); do
      sleep 1
      is_bgd "$2" || exit 0
    done
    echo "[buildgrid] --max-lifetime of $3 s reached: stopping pid $2" >>"$1/bgd.log"
    kill -TERM "$2"' _ "$state_dir" "$pid" "$seconds" >/dev/null 2>&1 </dev/null &
}

stop() {
  local state_dir="${1:-}" pid deadline
  [ -n "$state_dir" ] || die "usage: buildgrid.sh stop STATE_DIR"
  if ! pid="$(running_pid "$state_dir")"; then
    rm -f "$state_dir/bgd.pid" "$state_dir/address"
    log "no BuildGrid server running for $state_dir"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if alive "$pid"; then
    log "BuildGrid (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$state_dir/bgd.pid" "$state_dir/address"
  log "stopped BuildGrid (pid $pid)"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  install) install ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  address)
    [ -n "${1:-}" ] || die "usage: buildgrid.sh address STATE_DIR"
    running_pid "$1" >/dev/null || die "no BuildGrid server running for $1"
    cat "$1/address" ;;
  *) die "usage: buildgrid.sh install | start STATE_DIR [--port N] [--config FILE] | stop STATE_DIR | address STATE_DIR" ;;
esac
