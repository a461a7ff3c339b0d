"""Auth benchmark: what checking the session or token on every request costs.

Every authenticated request looks up its server-side session (``live_session``) or API
token (``live_token``): one indexed query joining the user. This times them on a SQLite
file store and, when ``TOEX_TEST_POSTGRES_URL`` is set, on PostgreSQL, against two
references in the same run: a principal-cache hit (what a request cost before, with no
lookup) and an audit append (``record``, which every search and view already pays).
Writes the "Auth" section of docs/benchmarks.md.

    .venv/bin/python -m bench.bench_auth
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.bench_resolve import machine

try:  # run as ``python -m bench.NAME`` (the Makefile) or as ``python bench/NAME.py``
    from bench.doc_section import replace_section
except ModuleNotFoundError:
    from doc_section import replace_section  # type: ignore[no-redef]
from toex.ops import open_store
from toex.ops.accounts import create_organisation, create_user
from toex.ops.audit import record
from toex.ops.db import OpsStore
from toex.ops.keys import AuditConfig
from toex.ops.login_sessions import SessionPolicy, live_session, start_session
from toex.ops.models import User
from toex.ops.tokens import create_token, live_token
from toex.web.auth import Principal, PrincipalCache

POLICY = SessionPolicy()


def _times(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """p50 and p95 of ``n`` calls, in microseconds (after 50 warm-up calls)."""
    for _ in range(50):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def _measure(store: OpsStore, n: int, sessions: int) -> dict[str, tuple[float, float]]:
    with store.session() as s:
        org = create_organisation(s, "o", "O", "regional")
        user = create_user(s, "ann", "a long enough password", "analyst", org)
        token = create_token(s, user).token
        s.commit()
        user_id = user.id
    sids = [start_session(store, user_id, "", POLICY) for _ in range(sessions)]
    sid = sids[len(sids) // 2]
    cache = PrincipalCache(3600.0)
    dummy = object()
    cache.get("u:1", lambda: dummy)  # type: ignore[arg-type, return-value]
    with store.session() as s:
        assert s.get(User, user_id) is not None
    return {
        "principal cache hit (reference: before)": _times(lambda: cache.get("u:1", _none), n),
        "live_session (every page request)": _times(lambda: live_session(store, sid, POLICY), n),
        "live_token (every API request)": _times(lambda: live_token(store, token), n),
        "audit append (reference: every search, view)": _times(
            lambda: record(store, username="ann", action="view", target="bench"), n
        ),
    }


def _none() -> Principal | None:
    return None


def _postgres() -> tuple[str, Callable[[], None]] | None:
    base = os.environ.get("TOEX_TEST_POSTGRES_URL")
    if not base:
        return None
    name = f"toex_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--sessions", type=int, default=10_000, help="Session rows in the table.")
    ap.add_argument("--no-doc", action="store_true", help="Print only; leave the doc alone.")
    args = ap.parse_args()
    results: dict[str, dict[str, tuple[float, float]]] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        audit = AuditConfig.fixed(["b" * 40], Path(tmp) / "cp.log", 0)
        store = open_store(f"sqlite:///{tmp}/ops.sqlite", audit=audit)
        results["SQLite (file, WAL)"] = _measure(store, args.calls, args.sessions)
        store.dispose()
        pg = _postgres()
        if pg is not None:
            url, drop = pg
            store = open_store(url, audit=audit)
            try:
                results["PostgreSQL (local)"] = _measure(store, args.calls, args.sessions)
            finally:
                store.dispose()
                drop()
    lines = [
        "## Auth: session and token checks",
        "",
        f"`.venv/bin/python -m bench.bench_auth --calls {args.calls} --sessions "
        f"{args.sessions}` on {machine()}; load average "
        f"{' / '.join(f'{v:.2f}' for v in load_before)} before, "
        f"{' / '.join(f'{v:.2f}' for v in os.getloadavg())} after (the machine is shared). "
        f"Microseconds per call, single thread, {args.sessions} session rows in the table.",
        "",
        "| store | operation | p50 µs | p95 µs | p50 / audit append |",
        "|---|---|---:|---:|---:|",
    ]
    for db, ops in results.items():
        append = ops["audit append (reference: every search, view)"][0]
        for op, (p50, p95) in ops.items():
            lines.append(f"| {db} | {op} | {p50:.0f} | {p95:.0f} | {p50 / append:.2f} |")
    lines += [
        "",
        "A page or API request now pays one indexed lookup of its session or token (joined "
        "to the user, so a disabled user is refused too) instead of a principal-cache hit; "
        "that buys revocation that takes effect on the very next request in every worker. "
        "See docs/web.md (Login, sessions and keys).",
    ]
    out = "\n".join(lines) + "\n"
    print(out)
    if not args.no_doc:
        replace_section(out)


if __name__ == "__main__":
    main()
