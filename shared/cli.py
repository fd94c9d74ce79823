"""`sentra`: what operators and registrars do by hand.

    sentra import FILE [--yes] [--user U] [--rejections R.csv]   import a kabupaten's CSV/XLSX, with a progress
                                            bar; a file not in the template's format shows its preview first
                                            (--yes: run at once with the proposed mapping); exit 1 when no row
                                            went in, 3 when the import waits in preview
    sentra users create USERNAME --role registrar [--role curator] --full-name "..."   (asks the password)
    sentra seed-demo                        demo users and an open fair (development)
    sentra dlq list [--stream S]            dead letters with their errors
    sentra dlq replay STREAM ENTRY_ID       put a dead letter back on its stream
    sentra status [--json] [--max-lag N] [--max-pending-age S] [--max-dead-letters N]
                                            services, streams, groups, dead letters; exit 1 above a limit

Service URLs come from REGISTRY_URL / CURATION_URL / EXHIBITIONS_URL (default the `make run` ports),
Redis from REDIS_URL, the admin password from SENTRA_ADMIN_PASSWORD (or a prompt), a registrar's
from SENTRA_PASSWORD (or a prompt).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from redis import Redis
from redis.exceptions import RedisError

from shared import status
from shared.auth import ROLES
from shared.cli_import import WAITING, confirm_preview, outcome, print_error, unreachable
from shared.cli_import import write_rejections as write_rejections  # where the tests and users found it
from shared.dead_letters import list_dead_letters, replay_dead_letter
from shared.demo import seed_demo


def _url(name: str, port: int) -> str:
    return os.environ.get(f"{name.upper()}_URL", f"http://127.0.0.1:{port}")


def _admin_password() -> str:
    return os.environ.get("SENTRA_ADMIN_PASSWORD") or getpass.getpass("admin password: ")


def _redis() -> Redis:
    return Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))


def cmd_users_create(args: argparse.Namespace) -> int:
    password = os.environ.get("SENTRA_NEW_USER_PASSWORD") or getpass.getpass(f"password for {args.username}: ")
    registry = _url("registry", 8001)
    with httpx.Client(timeout=30) as http:
        auth = _sign_in(http, registry, "admin", _admin_password())
        if auth is None:
            return 1
        r = http.post(f"{registry}/users", headers=auth, json={
            "username": args.username, "password": password, "full_name": args.full_name, "roles": args.role})
    if r.status_code != 201:
        _print_error(r.json())
        return 1
    print(f"created {args.username} ({', '.join(args.role)})")
    return 0


def _sign_in(http: httpx.Client, base: str, username: str, password: str) -> dict[str, str] | None:
    token = http.post(f"{base}/auth/token", data={"username": username, "password": password})
    if token.status_code != 200:
        print(f"sign-in failed / gagal masuk: {token.json().get('message_en')}", file=sys.stderr)
        return None
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _print_error(body: dict[str, Any]) -> None:
    print(f"{body.get('message')} / {body.get('message_en')}", file=sys.stderr)
    for err in body.get("errors", []):
        print(f"  {err['field']}: {err['message']} / {err['message_en']}", file=sys.stderr)


def progress_line(report: dict[str, Any], rate: float, width: int = 30) -> str:
    """One line of the import's progress bar, from `GET /imports/{id}`."""
    total, processed = int(report["total"]), int(report["processed"])
    done = width if total == 0 else width * processed // total
    share = 100 if total == 0 else 100 * processed // total
    return (f"[{'#' * done}{'.' * (width - done)}] {share:3d}%  {processed:,}/{total:,} baris/rows  "
            f"masuk/accepted {report['accepted']:,}  ganda/duplicates {report['duplicates']:,}  "
            f"ditolak/rejected {report['rejected']:,}  {rate:,.0f} baris/s")


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"berkas tidak ditemukan / file not found: {path}", file=sys.stderr)
        return 2
    registry = _url("registry", 8001)
    password = os.environ.get("SENTRA_PASSWORD") or getpass.getpass(f"password for {args.user}: ")
    out = sys.stderr
    interactive = out.isatty()
    with httpx.Client(timeout=120) as http:
        auth = _sign_in(http, registry, args.user, password)
        if auth is None:
            return 1
        with path.open("rb") as f:
            r = http.post(f"{registry}/imports", headers=auth, files={"file": (path.name, f)},
                          data={"mapping": "proposed"} if args.yes else None)
        if r.status_code != 202:
            print_error(r)
            return 1
        import_id = r.json()["id"]
        print(f"impor / import {import_id}: {path.name}", file=out)
        if r.json()["status"] == "preview" and not confirm_preview(http, f"{registry}/imports/{import_id}", auth, out):
            return WAITING
        started, last_printed = time.monotonic(), -1
        while True:
            # While it runs only the counts matter; the rows not accepted are read once at the end.
            report = http.get(f"{registry}/imports/{import_id}", headers=auth,
                              params={"rows_limit": 1}).raise_for_status().json()
            rate = report["processed"] / max(time.monotonic() - started, 1e-3)
            line = progress_line(report, rate)
            finished = report["status"] in ("done", "failed")
            # On a terminal the bar redraws in place; in a log, a line per tenth of the file.
            if interactive:
                print(f"\r{line}", end="\n" if finished else "", file=out, flush=True)
            elif finished or report["processed"] * 10 // max(report["total"], 1) > last_printed:
                last_printed = report["processed"] * 10 // max(report["total"], 1)
                print(line, file=out, flush=True)
            if finished:
                report = http.get(f"{registry}/imports/{import_id}", headers=auth,
                                  params={"rows_limit": 10_000}).raise_for_status().json()
                break
            time.sleep(args.interval)
    return outcome(report, args, out)


def cmd_seed_demo(_: argparse.Namespace) -> int:
    seed_demo(_url("registry", 8001), _url("curation", 8002), _url("exhibitions", 8003), _admin_password())
    print("demo data in place")
    return 0


def cmd_dlq_list(args: argparse.Namespace) -> int:
    letters = list_dead_letters(_redis(), [args.stream] if args.stream else None)
    if not letters:
        print("no dead letters")
    for d in letters:
        print(f"{d.stream}  {d.entry_id}  group={d.group}  deliveries={d.delivery_count}  at={d.dead_lettered_at}")
        print(f"    {d.error.splitlines()[0] if d.error else ''}")
    return 0


def cmd_dlq_replay(args: argparse.Namespace) -> int:
    try:
        new_id = replay_dead_letter(_redis(), args.stream, args.entry_id)
    except KeyError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"replayed onto {args.stream} as {new_id}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    services = {name: _url(name, port) for name, port in (("registry", 8001), ("curation", 8002),
                                                           ("exhibitions", 8003))}
    limits = status.Thresholds(args.max_lag, args.max_pending_age, args.max_dead_letters, args.max_outbox_backlog)
    with httpx.Client(timeout=5) as http:
        redis = _redis()
        try:
            report = status.collect(http, redis, services)
        except RedisError as exc:
            print(f"Redis tidak terjangkau / Redis unreachable: {exc}", file=sys.stderr)
            return 2
        finally:
            redis.close()
    found = status.problems(report, limits)
    if args.json:
        print(json.dumps({**report, "problems": found}, indent=2))
    else:
        print(status.render(report))
        for line in found:
            print(f"! {line}")
    return 1 if found else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sentra", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(required=True)

    users = sub.add_parser("users", help="manage users").add_subparsers(required=True)
    create = users.add_parser("create", help="create a user (admin password needed)")
    create.add_argument("username")
    create.add_argument("--full-name", required=True)
    create.add_argument("--role", action="append", choices=ROLES, required=True)
    create.set_defaults(func=cmd_users_create)

    imp = sub.add_parser("import", help="import a kabupaten's CSV or XLSX file with a progress bar")
    imp.add_argument("file")
    imp.add_argument("--yes", action="store_true", help="run at once with the proposed mapping, without a preview")
    imp.add_argument("--user", default=os.environ.get("SENTRA_USER", "registrar"),
                     help="a registrar's username (default $SENTRA_USER or 'registrar')")
    imp.add_argument("--rejections", metavar="CSV", help="write every row not accepted, with its reasons, here")
    imp.add_argument("--show", type=int, default=20, help="rejected rows to print (default 20)")
    imp.add_argument("--interval", type=float, default=0.5, help=argparse.SUPPRESS)
    imp.set_defaults(func=cmd_import)

    sub.add_parser("seed-demo", help="demo users and an open fair").set_defaults(func=cmd_seed_demo)
    _status_parser(sub)

    dlq = sub.add_parser("dlq", help="dead letters").add_subparsers(required=True)
    listing = dlq.add_parser("list", help="list dead letters")
    listing.add_argument("--stream")
    listing.set_defaults(func=cmd_dlq_list)
    replay = dlq.add_parser("replay", help="put a dead letter back on its stream")
    replay.add_argument("stream")
    replay.add_argument("entry_id")
    replay.set_defaults(func=cmd_dlq_replay)
    return parser


def _status_parser(sub: Any) -> None:
    st = sub.add_parser("status", help="health of services, streams, consumer groups and dead letters")
    st.add_argument("--json", action="store_true", help="machine-readable output for monitoring")
    st.add_argument("--max-lag", type=int, default=status.Thresholds.max_lag)
    st.add_argument("--max-pending-age", type=float, default=status.Thresholds.max_pending_age_s,
                    help="seconds")
    st.add_argument("--max-dead-letters", type=int, default=status.Thresholds.max_dead_letters)
    st.add_argument("--max-outbox-backlog", type=int, default=status.Thresholds.max_outbox_backlog)
    st.set_defaults(func=cmd_status)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except httpx.TransportError as exc:
        print(unreachable(exc), file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
