"""`scaleboard users add|list|remove|demo`: the local user file (argon2 hashes, roles)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from analytics.cli.common import add_root_option, root_of
from analytics.errors import InputError
from analytics.governance import audit, users
from analytics.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="manage the local user file (sign-in without OpenID Connect)")
    p.add_argument("--file", type=Path, default=None,
                   help="user file (default: $SCALEBOARD_USERS_FILE or .streamlit/users.toml)")
    add_root_option(p)  # where the audit event goes (skipped when the lakehouse does not exist yet)
    cmds = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    a = cmds.add_parser("add", help="add a user (password prompted, or --password-stdin)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=users.ROLES)
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.add_argument("--business-unit", action="append", default=[], dest="business_units",
                   help="limit a product manager to this business unit (repeatable)")
    a.add_argument("--replace", action="store_true", help="reset an existing user's role and password")
    a.set_defaults(handler=add)
    cmds.add_parser("list", help="list users and roles").set_defaults(handler=list_)
    r = cmds.add_parser("remove", help="remove a user")
    r.add_argument("name")
    r.set_defaults(handler=remove)
    d = cmds.add_parser("demo", help="create one user per role with random passwords if the file is absent")
    d.set_defaults(handler=demo)


def _file(args: argparse.Namespace) -> Path:
    return Path(args.file).resolve() if args.file else load_settings().users_file


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("No terminal to prompt for a password.", hint="Pipe it in with --password-stdin.")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise InputError("The two passwords differ; nothing was changed.")
    return first


def add(args: argparse.Namespace) -> int:
    password = _read_password(args.password_stdin)
    user = users.add_user(_file(args), args.name, args.role, password,
                          business_units=tuple(args.business_units), replace=args.replace)
    print(f"{'replaced' if args.replace else 'added'} {user.name} ({user.role}) in {_file(args)}")
    _audit(args, "users.add", user.name, f"role={user.role}")
    return 0


def list_(args: argparse.Namespace) -> int:
    found = users.list_users(_file(args))
    if not found:
        print(f"no users in {_file(args)}")
    for u in found:
        scope = f"  business units: {', '.join(u.business_units)}" if u.business_units else ""
        print(f"{u.name:<24} {u.role:<16} created {u.created_at}{scope}")
    return 0


def remove(args: argparse.Namespace) -> int:
    users.remove_user(_file(args), args.name)
    _audit(args, "users.remove", args.name)
    print(f"removed {args.name}")
    return 0


def demo(args: argparse.Namespace) -> int:
    path = _file(args)
    created = users.ensure_demo_users(path)
    if not created:
        print(f"Users already exist in {path} (`scaleboard users list`); delete the file for new demo users.")
        return 0
    print(f"Demo users created in {path} (readable by you only). Sign in with:")
    for name, role, password in created:
        print(f"  {name:<18} {password:<20} ({role})")
    return 0


def _audit(args: argparse.Namespace, action: str, target: str, detail: str = "") -> None:
    root = root_of(args)
    if root.is_dir():
        audit.record(root, actor=audit.cli_actor(), action=action, target=target, page="cli", detail=detail)
