"""`sentra`: what operators and registrars do by hand.

    sentra users create USERNAME --role registrar [--role curator] --full-name "..."   (asks the password)
    sentra seed-demo                        demo users and an open fair (development)
    sentra dlq list [--stream S]            dead letters with their errors
    sentra dlq replay STREAM ENTRY_ID       put a dead letter back on its stream

Service URLs come from REGISTRY_URL / CURATION_URL / EXHIBITIONS_URL (default the `make run` ports),
Redis from REDIS_URL, the admin password from SENTRA_ADMIN_PASSWORD (or a prompt).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

import httpx
from redis import Redis

from shared.auth import ROLES
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
        token = http.post(f"{registry}/auth/token", data={"username": "admin", "password": _admin_password()})
        if token.status_code != 200:
            print(f"sign-in failed: {token.json().get('message_en')}", file=sys.stderr)
            return 1
        r = http.post(f"{registry}/users", headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                      json={"username": args.username, "password": password, "full_name": args.full_name,
                            "roles": args.role})
    if r.status_code != 201:
        body = r.json()
        print(f"{body.get('message')} / {body.get('message_en')}", file=sys.stderr)
        for err in body.get("errors", []):
            print(f"  {err['field']}: {err['message']} / {err['message_en']}", file=sys.stderr)
        return 1
    print(f"created {args.username} ({', '.join(args.role)})")
    return 0


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

    sub.add_parser("seed-demo", help="demo users and an open fair").set_defaults(func=cmd_seed_demo)

    dlq = sub.add_parser("dlq", help="dead letters").add_subparsers(required=True)
    listing = dlq.add_parser("list", help="list dead letters")
    listing.add_argument("--stream")
    listing.set_defaults(func=cmd_dlq_list)
    replay = dlq.add_parser("replay", help="put a dead letter back on its stream")
    replay.add_argument("stream")
    replay.add_argument("entry_id")
    replay.set_defaults(func=cmd_dlq_replay)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
