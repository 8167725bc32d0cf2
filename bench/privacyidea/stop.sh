#!/usr/bin/env bash
# Stop the gunicorn started by setup.sh --dir DIR: TERM to the master (gunicorn then stops its
# workers), wait up to 10 s, then KILL the master and the workers it had.
#
#   stop.sh --dir DIR
set -euo pipefail

log() { echo "stop.sh: $*" >&2; }
usage() { echo "usage: $0 --dir DIR" >&2; exit 2; }

DIR=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) [[ $# -ge 2 ]] || usage; DIR="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) echo "stop.sh: unknown argument: $1" >&2; usage ;;
    esac
done
[[ -n "$DIR" ]] || usage
PIDFILE="$DIR/gunicorn.pid"

if [[ ! -s "$PIDFILE" ]]; then
    log "no $PIDFILE, nothing to stop"
    exit 0
fi
pid="$(tr -dc '0-9' <"$PIDFILE")"
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
    log "gunicorn (pid ${pid:-?}) is not running"
    rm -f "$PIDFILE"
    exit 0
fi
# Guard against a stale pid file whose pid now belongs to something else.
if ! tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q gunicorn; then
    log "pid $pid is not a gunicorn process; leaving it alone"
    rm -f "$PIDFILE"
    exit 1
fi

# The workers, remembered before the master goes: they are only needed for a KILL.
workers="$(pgrep -P "$pid" | tr '\n' ' ' || true)"
log "sending TERM to gunicorn master $pid"
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
    log "still running after 10 s, sending KILL to $pid and its workers ${workers:-(none)}"
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL "$pid" $workers 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
fi
if kill -0 "$pid" 2>/dev/null; then
    log "gunicorn master $pid did not exit"
    exit 1
fi
# A worker outlives its master only if the master was killed; do not leave one behind.
for w in $workers; do
    if tr '\0' ' ' 2>/dev/null <"/proc/$w/cmdline" | grep -q gunicorn; then
        log "killing left-over worker $w"
        kill -KILL "$w" 2>/dev/null || true
    fi
done
rm -f "$PIDFILE"
log "stopped"
