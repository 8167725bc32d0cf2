#!/usr/bin/env bash
# Install privacyIDEA 3.14 into DIR/venv, configure it on SQLite with the benchmark users and
# their TOTP tokens, and serve it with gunicorn (2 workers) on 127.0.0.1:PORT.
#
#   setup.sh --dir DIR --users FILE --port PORT
#
# FILE: CSV without header, one "username,secret_hex" per line (TOTP, SHA-1, 6 digits, 30 s).
# stdout: exactly one line, the pid of the gunicorn master (also in DIR/gunicorn.pid).
# stderr: progress lines. Stop the server with stop.sh --dir DIR.
#
# Every run starts from a fresh configuration and database (new keys, secrets, tokens); only
# DIR/venv is reused when it already holds privacyIDEA 3.14 and gunicorn.
set -euo pipefail

PI_VERSION="3.14"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "setup.sh: $*" >&2; }
die() { echo "setup.sh: error: $*" >&2; exit 1; }
usage() { echo "usage: $0 --dir DIR --users FILE --port PORT" >&2; exit 2; }

DIR="" USERS="" PORT=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) [[ $# -ge 2 ]] || usage; DIR="$2"; shift 2 ;;
        --users) [[ $# -ge 2 ]] || usage; USERS="$2"; shift 2 ;;
        --port) [[ $# -ge 2 ]] || usage; PORT="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) echo "setup.sh: unknown argument: $1" >&2; usage ;;
    esac
done
[[ -n "$DIR" && -n "$USERS" && -n "$PORT" ]] || usage
[[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT >= 1 && PORT <= 65535 )) || die "--port must be 1..65535"
[[ -f "$USERS" && -r "$USERS" ]] || die "cannot read users file $USERS"
command -v curl >/dev/null || die "curl is needed to wait for the server"

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
USERS="$(cd "$(dirname "$USERS")" && pwd)/$(basename "$USERS")"
VENV="$DIR/venv"
URL="http://127.0.0.1:$PORT/validate/check"
SETUPLOG="$DIR/setup.log"
: >"$SETUPLOG"

# Run a chatty command with its output in DIR/setup.log; show the end of it if it fails.
quiet() {
    if ! "$@" >>"$SETUPLOG" 2>&1; then
        tail -n 30 "$SETUPLOG" >&2
        die "failed: $* (full output in $SETUPLOG)"
    fi
}

# Validate the users file (standard library only) before installing or replacing anything.
python3 "$HERE/enrol.py" --check-only --users "$USERS"

# --- virtual environment -------------------------------------------------------------------
venv_ok() {
    [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" - "$PI_VERSION" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if version("privacyidea") == sys.argv[1] and version("gunicorn") else 1)
EOF
}
if venv_ok; then
    log "reusing $VENV (privacyIDEA $PI_VERSION)"
else
    log "creating $VENV and installing privacyIDEA $PI_VERSION and gunicorn from PyPI"
    quiet python3 -m venv --clear "$VENV"
    # constraints.txt pins the dependency set this set-up was tested with (privacyIDEA itself
    # declares its dependencies without upper bounds); see README.md.
    quiet "$VENV/bin/pip" install --disable-pip-version-check \
        -c "$HERE/constraints.txt" "privacyidea==$PI_VERSION" gunicorn
    venv_ok || die "privacyIDEA $PI_VERSION is not importable in $VENV after pip install"
fi

# --- a previous server on this DIR, or something else on the port ---------------------------
if [[ -f "$DIR/gunicorn.pid" ]]; then
    log "stopping the previous server of $DIR"
    "$HERE/stop.sh" --dir "$DIR" >&2
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "something already listens on 127.0.0.1:$PORT"
fi

# --- configuration -------------------------------------------------------------------------
log "writing $DIR/pi.cfg"
rm -f "$DIR"/pi.cfg "$DIR"/pi.sqlite "$DIR"/pi.sqlite-* "$DIR"/enckey "$DIR"/private.pem \
    "$DIR"/public.pem "$DIR"/users.passwd "$DIR"/pi.log* "$DIR"/gunicorn.log
(
    umask 077
    "$VENV/bin/python" - "$DIR" "$PORT" >"$DIR/pi.cfg" <<'EOF'
import secrets, sys, uuid
d, port = sys.argv[1], sys.argv[2]
print(f"""# privacyIDEA configuration written by bench/privacyidea/setup.sh
SQLALCHEMY_DATABASE_URI = {'sqlite:///' + d + '/pi.sqlite'!r}
SECRET_KEY = {secrets.token_urlsafe(48)!r}
PI_PEPPER = {secrets.token_urlsafe(48)!r}
PI_ENCFILE = {d + '/enckey'!r}
# Audit: privacyIDEA's defaults (SQL audit module in the same database, rows signed with RSA).
PI_AUDIT_KEY_PRIVATE = {d + '/private.pem'!r}
PI_AUDIT_KEY_PUBLIC = {d + '/public.pem'!r}
PI_LOGFILE = {d + '/pi.log'!r}
PI_LOGLEVEL = 30  # logging.WARNING
# Keep /etc/privacyidea out of the picture: a logging config there would otherwise be read.
PI_LOGCONFIG = {d + '/logging.cfg.unused'!r}
PI_NODE = 'bench'
# Only used for links in notifications; set so that every worker does not warn about it.
PI_BASE_URL = {'http://127.0.0.1:' + port!r}
PI_NODE_UUID = {str(uuid.uuid4())!r}
""")
EOF
)
export PRIVACYIDEA_CONFIGFILE="$DIR/pi.cfg"

log "creating the encryption key, the audit signing keys and the database tables"
quiet "$VENV/bin/pi-manage" setup create_enckey
quiet "$VENV/bin/pi-manage" setup create_audit_keys
quiet "$VENV/bin/pi-manage" setup create_tables

log "enrolling users and TOTP tokens from $USERS"
"$VENV/bin/python" "$HERE/enrol.py" --config "$DIR/pi.cfg" --users "$USERS" \
    --passwd "$DIR/users.passwd"

# --- gunicorn ------------------------------------------------------------------------------
log "starting gunicorn (2 workers) on 127.0.0.1:$PORT"
t0="$(date +%s.%N)"
"$VENV/bin/gunicorn" --daemon --workers 2 --bind "127.0.0.1:$PORT" \
    --pid "$DIR/gunicorn.pid" --chdir "$DIR" --no-control-socket \
    --error-logfile "$DIR/gunicorn.log" --capture-output \
    'privacyidea.app:create_app(config_name="production", silent=True)' </dev/null >&2

fail_start() {
    log "gunicorn did not come up; last lines of $DIR/gunicorn.log:"
    tail -n 30 "$DIR/gunicorn.log" >&2 || true
    [[ -f "$DIR/gunicorn.pid" ]] && "$HERE/stop.sh" --dir "$DIR" >&2 || true
    die "$*"
}
started=$SECONDS
pid=""
while :; do
    (( SECONDS - started < 120 )) || fail_start "no answer from $URL within 120 s"
    if [[ -z "$pid" && -s "$DIR/gunicorn.pid" ]]; then
        pid="$(tr -dc '0-9' <"$DIR/gunicorn.pid")"
    fi
    if [[ -z "$pid" ]] && (( SECONDS - started >= 15 )); then
        fail_start "gunicorn wrote no pid file within 15 s"
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
        fail_start "the gunicorn master (pid $pid) exited"
    fi
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 -X POST "$URL" || true)"
    if [[ -n "$code" && "$code" != "000" ]]; then
        break
    fi
    sleep 0.1
done
t1="$(date +%s.%N)"
[[ -n "$pid" ]] || pid="$(tr -dc '0-9' <"$DIR/gunicorn.pid")"
kill -0 "$pid" 2>/dev/null || fail_start "the gunicorn master (pid $pid) is not running"
log "POST /validate/check answers (HTTP $code) $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s after starting gunicorn"
echo "$pid"
