"""Count what privacyIDEA does for one POST /validate/check.

Runs inside the privacyIDEA virtual environment against a directory prepared by setup.sh:

    DIR/venv/bin/python count_sql.py --config DIR/pi.cfg --users FILE [--checks N] [--trace]

It builds the same Flask application gunicorn serves (same pi.cfg, same database, same keys)
and sends requests through Flask's test client, so the whole request pipeline runs (policies,
user resolution, token check, audit, response signing), only without the HTTP server. Every
statement SQLite executes is traced on the DB-API connections (this includes the BEGIN and
COMMIT that Python's sqlite3 module issues), RSA signatures are counted by wrapping
privacyidea.lib.crypto.Sign.sign, and process CPU time is taken around each request.

For every user taken from the END of FILE (so that hand checks with the first users do not
collide) it sends, in this order: the current TOTP code (valid), the same code again
(replay), and a wrong code. The first user is a warm-up; the averages per kind of check over
the others are printed. Nothing secret is printed: SQLite hands the trace callback statements
with their parameters expanded, so string and blob literals are replaced by '?' on arrival.

The checks modify the database like real ones (counters, fail counters, audit rows).
"""

import argparse
import collections
import hashlib
import hmac
import re
import struct
import sys
import time

LITERAL = re.compile(r"[xX]?'(?:[^']|'')*'")
TABLE_IN = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+\"?(\w+)", re.IGNORECASE)


def totp(key_hex, t=None, step=30, digits=6):
    counter = int((time.time() if t is None else t) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


class Tracer:
    def __init__(self):
        self.statements = []

    def __call__(self, sql):
        self.statements.append(LITERAL.sub("'?'", " ".join(sql.split())))

    def take(self):
        out, self.statements = self.statements, []
        return out


def summarise(stmts):
    verbs = collections.Counter()
    written = collections.Counter()
    read = collections.Counter()
    for s in stmts:
        verb = s.split(" ", 1)[0].upper()
        verbs[verb] += 1
        tables = TABLE_IN.findall(s)
        if verb in ("INSERT", "UPDATE", "DELETE", "REPLACE") and tables:
            written[tables[0]] += 1
        elif verb == "SELECT":
            for t in set(tables):
                read[t] += 1
    return verbs, written, read


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--checks", type=int, default=5, help="users to test after the warm-up")
    ap.add_argument("--skip", type=int, default=0,
                    help="leave out this many users at the end of FILE (used by an earlier run)")
    ap.add_argument("--trace", action="store_true",
                    help="print the statements of one valid check and the writes of the others")
    ap.add_argument("--again", action="store_true",
                    help="then wait for the next 30 s step and check the same users again (steady "
                         "state: their token info rows exist already)")
    args = ap.parse_args()

    users = []
    with open(args.users, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                name, key = (p.strip() for p in line.split(","))
                users.append((name, key))
    users = users[len(users) - args.skip - args.checks - 1:len(users) - args.skip]
    if len(users) != args.checks + 1:
        sys.exit("not enough users in FILE for --checks and --skip")

    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    tracer = Tracer()

    @event.listens_for(Pool, "connect")
    def _trace(dbapi_conn, _record):
        dbapi_conn.set_trace_callback(tracer)

    import privacyidea.lib.crypto as crypto

    signatures = [0]
    orig_sign = crypto.Sign.sign

    def counting_sign(self, s):
        signatures[0] += 1
        return orig_sign(self, s)

    crypto.Sign.sign = counting_sign

    from privacyidea.app import create_app

    app = create_app(config_name="production", config_file=args.config, silent=True)
    client = app.test_client()
    tracer.take()

    results = collections.defaultdict(list)
    for i, (name, key) in enumerate(users):
        code = totp(key)
        wrong = f"{(int(code) + 1) % 1000000:06d}"
        checks = [("valid", code), ("replay", code), ("wrong", wrong)]
        run_checks(client, tracer, signatures, name, checks, results, warm_up=i == 0)
    if args.again:
        wait = 30 - time.time() % 30 + 1
        print(f"waiting {wait:.0f} s for the next time step", file=sys.stderr)
        time.sleep(wait)
        for i, (name, key) in enumerate(users):
            checks = [("valid again", totp(key))]
            run_checks(client, tracer, signatures, name, checks, results, warm_up=i == 0)

    report(results, args.trace)


def run_checks(client, tracer, signatures, name, checks, results, warm_up):
    """Send the checks for one user; record them in results unless this is the warm-up."""
    for kind, otp in checks:
        signatures[0] = 0
        c0 = time.process_time()
        w0 = time.perf_counter()
        resp = client.post("/validate/check", data={"user": name, "realm": "bench", "pass": otp})
        cpu = time.process_time() - c0
        wall = time.perf_counter() - w0
        stmts = tracer.take()
        body = resp.get_json()
        value = body["result"].get("value")
        if warm_up:
            print(f"warm-up {kind}: value={value} statements={len(stmts)} "
                  f"cpu={cpu * 1000:.0f} ms", file=sys.stderr)
            continue
        results[kind].append((value, stmts, signatures[0], cpu, wall, body))


def report(results, trace):
    for kind in ("valid", "replay", "wrong", "valid again"):
        rows = results[kind]
        if not rows:
            continue
        n = len(rows)
        values = collections.Counter(str(r[0]) for r in rows)
        verbs = collections.Counter()
        written = collections.Counter()
        read = collections.Counter()
        for r in rows:
            v, w, rd = summarise(r[1])
            verbs.update(v)
            written.update(w)
            read.update(rd)
        total = sum(len(r[1]) for r in rows) / n
        print(f"== {kind} check ({n} users): value {dict(values)}; "
              f"message {rows[-1][5].get('detail', {}).get('message')!r}")
        print(f"   statements per check: {total:.1f} (SQL sent by SQLAlchemy and sqlite3, incl. BEGIN/COMMIT)")
        print("   by verb: " + ", ".join(f"{k} {c / n:.1f}" for k, c in verbs.most_common()))
        print("   rows written: " + (", ".join(f"{k} {c / n:.1f}" for k, c in written.most_common()) or "none"))
        print("   tables read (SELECTs touching): " + ", ".join(f"{k} {c / n:.1f}" for k, c in read.most_common()))
        print(f"   RSA signatures: {sum(r[2] for r in rows) / n:.1f}; "
              f"in-process CPU {sum(r[3] for r in rows) / n * 1000:.0f} ms, "
              f"wall {sum(r[4] for r in rows) / n * 1000:.0f} ms per check")
    if not trace:
        return
    for kind in ("valid", "replay", "wrong", "valid again"):
        if not results[kind]:
            continue
        stmts = results[kind][0][1]
        if kind != "valid":
            stmts = [s for s in stmts if not s.upper().startswith("SELECT")]
            print(f"== statements of one {kind} check other than SELECTs (parameters not shown)")
        else:
            print(f"== statements of one {kind} check (parameters not shown)")
        for s in stmts:
            print("   " + (s if len(s) <= 160 else s[:157] + "..."))

if __name__ == "__main__":
    main()
