"""Bulk set-up of the benchmark users and TOTP tokens in privacyIDEA.

Runs inside the privacyIDEA virtual environment (``DIR/venv/bin/python enrol.py ...``) and talks
to the database through privacyIDEA's own library, in one application context, instead of the
REST API (one admin request per token would take minutes for thousands of users).

What it creates:
  * a passwd-style file holding the users (``username:x:uid:gid:gecos:home:shell``),
  * a ``passwdresolver`` named ``benchusers`` reading that file,
  * the realm ``bench`` with that resolver, made the default realm,
  * one TOTP token per user (SHA-1, 6 digits, 30 s, no PIN) with the key from the CSV,
    serial ``BENCH000001`` and up, in file order.

The users CSV has no header, one ``username,secret_hex`` per line. Nothing secret is printed.
"""

import argparse
import re
import sys
import time

RESOLVER = "benchusers"
REALM = "bench"
FIRST_UID = 10000
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
HEX = re.compile(r"^(?:[0-9A-Fa-f]{2})+$")


def progress(msg):
    print(f"enrol.py: {msg}", file=sys.stderr, flush=True)


def fail(msg):
    print(f"enrol.py: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def read_users(path):
    """Parse and validate the CSV, returning a list of (username, secret_hex)."""
    users = []
    seen = set()
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, start=1):
            line = raw.strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 2:
                fail(f"{path}:{lineno}: expected 'username,secret_hex'")
            name, key = parts
            if not USERNAME.match(name):
                fail(f"{path}:{lineno}: username must match {USERNAME.pattern}")
            if not HEX.match(key):
                fail(f"{path}:{lineno}: the secret must be hex with an even number of digits")
            if len(key) != 40:
                progress(f"warning: {path}:{lineno}: the key has {len(key) // 2} bytes, not 20")
            if name in seen:
                fail(f"{path}:{lineno}: duplicate username {name!r}")
            seen.add(name)
            users.append((name, key.lower()))
    if not users:
        fail(f"{path}: no users")
    return users


def write_passwd(path, users):
    with open(path, "w", encoding="utf-8") as f:
        for i, (name, _key) in enumerate(users):
            uid = FIRST_UID + i
            f.write(f"{name}:x:{uid}:{uid}:{name}:/nonexistent:/usr/sbin/nologin\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", help="pi.cfg")
    ap.add_argument("--users", required=True, help="CSV username,secret_hex")
    ap.add_argument("--passwd", help="passwd-style file to write")
    ap.add_argument("--check-only", action="store_true",
                    help="only validate the users file (does not import privacyIDEA)")
    args = ap.parse_args()

    users = read_users(args.users)
    if args.check_only:
        progress(f"{args.users}: {len(users)} users")
        return
    if not args.config or not args.passwd:
        ap.error("--config and --passwd are required unless --check-only is given")
    write_passwd(args.passwd, users)

    # Imported late: importing privacyIDEA takes a second or two, not worth it for bad input.
    from privacyidea.app import create_app
    from privacyidea.lib.realm import set_default_realm, set_realm
    from privacyidea.lib.resolver import save_resolver
    from privacyidea.lib.token import init_token
    from privacyidea.lib.user import User
    from privacyidea.models import Token, db
    from sqlalchemy import event

    app = create_app(config_name="production", config_file=args.config, silent=True)
    with app.app_context():
        # init_token commits several times per token. With SQLite's default durability every
        # commit waits for the disk, which made 2000 users take minutes; this bulk load trades
        # durability for speed on its own connections only (a crash means rerunning setup.sh).
        # Neither setting is stored in the database file: the server keeps SQLite's defaults.
        if db.engine.dialect.name == "sqlite":

            def _fast_sqlite(dbapi_conn, _record):
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA synchronous=OFF")
                cur.execute("PRAGMA journal_mode=MEMORY")
                cur.close()

            event.listen(db.engine, "connect", _fast_sqlite)
            db.session.remove()
            db.engine.dispose()

        save_resolver({"resolver": RESOLVER, "type": "passwdresolver", "fileName": args.passwd})
        set_realm(REALM, [{"name": RESOLVER}])
        set_default_realm(REALM)
        db.session.commit()
        progress(f"resolver {RESOLVER!r} and default realm {REALM!r} created")

        start = time.monotonic()
        for i, (name, key) in enumerate(users, start=1):
            user = User(login=name, realm=REALM)
            init_token(
                {
                    "type": "totp",
                    "serial": f"BENCH{i:06d}",
                    "otpkey": key,
                    "otplen": 6,
                    "hashlib": "sha1",
                    "timeStep": 30,
                    "description": "portcullis-bench",
                },
                user=user,
            )
            if i % 500 == 0:
                db.session.commit()
                rate = i / (time.monotonic() - start)
                progress(f"{i}/{len(users)} tokens enrolled ({rate:.0f}/s)")
        db.session.commit()

        # Read back from a fresh session: every user owns exactly one active TOTP token.
        db.session.remove()
        count = db.session.query(Token).filter_by(tokentype="totp", active=True).count()
        if count != len(users):
            fail(f"expected {len(users)} TOTP tokens in the database, found {count}")
        progress(f"{count} TOTP tokens committed in {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
