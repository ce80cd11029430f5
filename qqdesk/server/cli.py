"""The ``qqdesk-server`` command: serve, manage accounts, groups, discussions and web sign-ins,
move a store (SQLite, PostgreSQL)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import getpass
import logging
import signal
import ssl
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import platformdirs

from qqdesk.core import (
    MAX_UIN,
    MIN_UIN,
    PRIVATE_FIELDS,
    Audience,
    AuthMode,
    Conversation,
    ConversationKind,
)

from .admin import Admin, AdminError
from .frontends.classic import PROFILE_FIELD_BY_KEY
from .http import Limits
from .proxyproto import TrustedProxies
from .server import QQServer
from .service import Refused
from .service.privacy import change_privacy
from .store import SqliteStore, Store, StoreError, copy_store, open_store
from .store.opening import is_postgres, sqlite_path

if TYPE_CHECKING:
    from .store.postgres import PostgresStore

log = logging.getLogger("qqdesk.server")

#: Where ``serve`` listens for HTTPS when given a certificate.
DEFAULT_TLS_PORT = 8443

#: What ``setinfo --show-FIELD`` takes.
AUDIENCES = {"everyone": Audience.EVERYONE, "buddies": Audience.BUDDIES, "nobody": Audience.NOBODY}

#: GetInfo keys -> profile attribute names (what ``setinfo`` accepts; not the number).
INFO_KEYS = {key: name for key, name in PROFILE_FIELD_BY_KEY.items() if key != "UN"}


class UsageError(Exception):
    """A wrong argument: one line on stderr, exit status 2."""


class Failure(Exception):
    """What was asked names something that is not there (an account, a group, a code):
    one line on stderr, exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def default_db() -> Path:
    return Path(platformdirs.user_data_dir("qqdesk")) / "server.sqlite3"


def _uin(text: str) -> int:
    if not text.isdigit() or not MIN_UIN <= int(text) <= MAX_UIN:
        raise argparse.ArgumentTypeError(f"{text!r} is not a QQ number ({MIN_UIN} to {MAX_UIN})")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _small_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a non-negative number")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _proxies(text: str) -> TrustedProxies:
    try:
        return TrustedProxies.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    where = common.add_mutually_exclusive_group()
    where.add_argument(
        "--db", type=Path, default=None, help=f"store file (default: {default_db()})"
    )
    where.add_argument(
        "--store",
        default=None,
        metavar="URL",
        help="postgresql://USER@HOST:PORT/DB, or sqlite:PATH (the same as --db PATH)",
    )
    parser = _Parser(prog="qqdesk-server", description="HTTP QQ protocol server")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = sub.add_parser("serve", parents=[common], help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--idle-timeout", type=_seconds, default=300.0)
    serve.add_argument("--strict-sessions", action="store_true")
    serve.add_argument(
        "--tls-cert", type=Path, default=None, metavar="PATH", help="certificate chain (PEM)"
    )
    serve.add_argument("--tls-key", type=Path, default=None, metavar="PATH", help="its key (PEM)")
    serve.add_argument(
        "--tls-port",
        type=_port,
        default=DEFAULT_TLS_PORT,
        help=f"HTTPS port, with --tls-cert and --tls-key (default {DEFAULT_TLS_PORT})",
    )
    serve.add_argument(
        "--tls-only",
        action="store_true",
        help="serve HTTPS only (no plain HTTP on --port)",
    )
    serve.add_argument(
        "--max-connections", type=_positive, default=Limits.max_connections, metavar="N"
    )
    serve.add_argument(
        "--max-per-address", type=_positive, default=Limits.max_per_address, metavar="N"
    )
    serve.add_argument(
        "--proxy-from",
        type=_proxies,
        default=None,
        metavar="ADDR[,ADDR...]",
        help="front doors (addresses or networks such as 10.0.0.0/24) whose connections"
        " start with a PROXY protocol header (HAProxy's send-proxy-v2) naming the client;"
        " a connection from them without one is closed",
    )

    useradd = sub.add_parser("useradd", parents=[common], help="create an account")
    useradd.add_argument("uin", type=_uin)
    useradd.add_argument("--password", required=True)
    useradd.add_argument("--nick", default="")
    useradd.add_argument("--auth", type=int, choices=[0, 1, 3], default=0)
    useradd.add_argument("--face", type=_small_int, default=0)

    passwd = sub.add_parser("passwd", parents=[common], help="set an account's password")
    passwd.add_argument("uin", type=_uin)
    passwd.add_argument("--password", default=None)

    setinfo = sub.add_parser(
        "setinfo", parents=[common], help="set profile fields and who sees the private ones"
    )
    setinfo.add_argument("uin", type=_uin)
    setinfo.add_argument("fields", nargs="*", metavar="KEY=VALUE")
    for name in PRIVATE_FIELDS:
        setinfo.add_argument(
            f"--show-{name.replace('_', '-')}",
            dest=f"show_{name}",
            choices=AUDIENCES,
            default=None,
            help=f"who sees the {name.replace('_', ' ')}",
        )

    buddy = sub.add_parser("buddy", help="edit a buddy list and its remarks").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    for action, text in (("add", "put BUDDY on UIN's list"), ("del", "take BUDDY off it")):
        edit = buddy.add_parser(action, parents=[common], help=text)
        edit.add_argument("uin", type=_uin, metavar="UIN")
        edit.add_argument("buddy", type=_uin, metavar="BUDDY")
    mark = buddy.add_parser(
        "mark", parents=[common], help="UIN's remark for UN (Smart QQ's markname; '' removes it)"
    )
    mark.add_argument("uin", type=_uin, metavar="UIN")
    mark.add_argument("buddy", type=_uin, metavar="UN")
    mark.add_argument("remark", metavar="REMARK")

    sub.add_parser("list", parents=[common], help="list accounts")

    group = sub.add_parser("group", help="groups (qun)").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    create = group.add_parser("create", parents=[common], help="make a group; prints its number")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--owner", type=_uin, required=True, metavar="UIN")
    add = group.add_parser("add", parents=[common], help="add members (again is no error)")
    add.add_argument("room", type=_positive, metavar="GROUP")
    add.add_argument("uins", type=_uin, nargs="+", metavar="UIN")
    remove = group.add_parser(
        "remove", parents=[common], help="remove a member (an owner hands the group on)"
    )
    remove.add_argument("room", type=_positive, metavar="GROUP")
    remove.add_argument("uin", type=_uin, metavar="UIN")
    card = group.add_parser("card", parents=[common], help="set a member's card ('' unsets it)")
    card.add_argument("room", type=_positive, metavar="GROUP")
    card.add_argument("uin", type=_uin, metavar="UIN")
    card.add_argument("card", metavar="CARD")
    group.add_parser("list", parents=[common], help="number, owner, members, name")

    discussion = sub.add_parser("discussion", help="discussions (discu)").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    start = discussion.add_parser(
        "create", parents=[common], help="make a discussion; prints its id"
    )
    start.add_argument("name", metavar="NAME")
    start.add_argument("uins", type=_uin, nargs="+", metavar="UIN")
    join = discussion.add_parser("add", parents=[common], help="add members (again is no error)")
    join.add_argument("room", type=_positive, metavar="ID")
    join.add_argument("uins", type=_uin, nargs="+", metavar="UIN")

    web = sub.add_parser("web-login", help="QR sign-ins of the Smart QQ channel").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    web.add_parser("list", parents=[common], help="pending ones: code, ptqrtoken, made at (UTC)")
    approve = web.add_parser("approve", parents=[common], help="let CODE sign in as UIN")
    approve.add_argument("code", metavar="CODE")
    approve.add_argument("uin", type=_uin, metavar="UIN")
    refuse = web.add_parser("refuse", parents=[common], help="turn CODE away")
    refuse.add_argument("code", metavar="CODE")

    migrate = sub.add_parser(
        "migrate", help="copy a whole store into an empty one (stop the server first)"
    )
    migrate.add_argument("--from", dest="source", required=True, metavar="SOURCE")
    migrate.add_argument("--to", dest="target", required=True, metavar="TARGET")
    return parser


def _target(args: argparse.Namespace) -> str | Path:
    """The store a subcommand names: --store URL, --db PATH, or the default file."""
    if getattr(args, "store", None):
        return str(args.store)
    return args.db if args.db is not None else default_db()


async def _open(target: str | Path, *, read_cache: bool = False) -> SqliteStore | PostgresStore:
    if not is_postgres(target):
        try:
            path = sqlite_path(target)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if path.is_dir():
            raise UsageError(f"cannot open store {path}: it is a directory")
    elif not str(target).startswith(("postgresql://", "postgres://")):
        raise UsageError(f"not a store: {target}")
    return await open_store(target, read_cache=read_cache)


def _describe(store: Store) -> str:
    """Where a store lives, for the log (a PostgreSQL URL without its password)."""
    return str(getattr(store, "where", None) or getattr(store, "path", "?"))


async def _close(store: Store) -> None:
    # Off the loop: it waits for queued writes (on the loop itself, for PostgreSQL).
    await asyncio.to_thread(store.close)


def _setinfo_fields(pairs: Sequence[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().upper()
        if not sep or key not in INFO_KEYS:
            raise UsageError(
                f"{pair!r}: expected KEY=VALUE with KEY one of {' '.join(sorted(INFO_KEYS))}"
            )
        fields[INFO_KEYS[key]] = value
    return fields


def tls_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    """The server's TLS context from ``--tls-cert`` and ``--tls-key``; None without them."""
    cert, key = args.tls_cert, args.tls_key
    if cert is None and key is None:
        if args.tls_only:
            raise UsageError("--tls-only needs --tls-cert and --tls-key")
        return None
    if cert is None or key is None:
        raise UsageError("--tls-cert and --tls-key go together")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(f"cannot load the certificate {cert} and key {key}: {exc}") from None
    return context


def serve_limits(args: argparse.Namespace) -> Limits:
    """What one connection may cost, with ``serve``'s connection options."""
    return Limits(max_connections=args.max_connections, max_per_address=args.max_per_address)


async def _serve(args: argparse.Namespace) -> int:
    context = tls_context(args)
    store = await _open(_target(args), read_cache=True)
    server = QQServer(
        store,
        idle_timeout=args.idle_timeout,
        strict_sessions=args.strict_sessions,
        limits=serve_limits(args),
        proxies=args.proxy_from,
    )
    # HTTPS beside plain HTTP on its own port, or (--tls-only) instead of it
    listeners: list[tuple[int, ssl.SSLContext | None]] = []
    if not args.tls_only:
        listeners.append((args.port, None))
    if context is not None:
        listeners.append((args.tls_port, context))
    # Signals are handled before the port opens: a stop asked for as soon as the port
    # accepts (a supervisor, a test) is a clean stop, not a KeyboardInterrupt (exit 130).
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    ports: list[str] = []
    for number, (port, tls) in enumerate(listeners):
        try:
            if number == 0:
                await server.start(args.host, port, ssl=tls)
                taken = server.port
            else:
                taken = await server.listen(args.host, port, ssl=tls)
        except OSError as exc:
            await server.stop()
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on {args.host} is already in use") from None
            raise UsageError(
                f"cannot listen on {args.host}:{port}: {exc.strerror or exc}"
            ) from None
        ports.append(f"{args.host}:{taken}" + (" (HTTPS)" if tls else ""))
    log.info("qqdesk-server listening on %s (store %s)", ", ".join(ports), _describe(store))
    try:
        await stop.wait()
    finally:
        await server.stop()
        log.info("qqdesk-server stopped")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return asyncio.run(_serve(args))
    if args.command == "migrate":
        return asyncio.run(_migrate(args))
    return asyncio.run(_administer(args))


async def _migrate(args: argparse.Namespace) -> int:
    source = await _open(args.source)
    try:
        target = await _open(args.target)
        try:
            counts = await copy_store(source, target)
        finally:
            await _close(target)
    finally:
        await _close(source)
    rows = ", ".join(f"{count} {table}" for table, count in counts.items())
    print(f"copied {rows} from {_describe(source)} to {_describe(target)}")
    return 0


async def _administer(args: argparse.Namespace) -> int:
    store = await _open(_target(args))
    try:
        admin = Admin(store)
        if args.command == "useradd":
            try:
                await admin.create_account(
                    args.uin,
                    args.password,
                    nick=args.nick,
                    auth=AuthMode(args.auth),
                    face=args.face,
                )
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            print(f"created {args.uin}")
        elif args.command == "passwd":
            password = args.password
            if password is None:
                password = getpass.getpass("New password: ")
                if getpass.getpass("Again: ") != password:
                    raise UsageError("the passwords differ")
            try:
                await admin.set_password(args.uin, password)
            except KeyError:
                raise UsageError(f"no account {args.uin}") from None
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            print(f"password of {args.uin} changed")
        elif args.command == "setinfo":
            fields = _setinfo_fields(args.fields)
            privacy = {
                name: AUDIENCES[getattr(args, f"show_{name}")]
                for name in PRIVATE_FIELDS
                if getattr(args, f"show_{name}") is not None
            }
            if not fields and not privacy:
                raise UsageError("setinfo: give KEY=VALUE fields or --show-... choices")
            try:
                await admin.set_profile(args.uin, **fields)
                if privacy:
                    await change_privacy(store, args.uin, privacy)
            except (KeyError, Refused):
                raise UsageError(f"no account {args.uin}") from None
            except ValueError as exc:
                raise UsageError(f"bad value: {exc}") from None
            print(f"profile of {args.uin} changed")
        elif args.command == "buddy" and args.action == "mark":
            await admin.mark_buddy(args.uin, args.buddy, args.remark)
        elif args.command == "buddy":
            try:
                if args.action == "add":
                    await admin.add_buddy(args.uin, args.buddy)
                else:
                    await admin.remove_buddy(args.uin, args.buddy)
            except KeyError as exc:
                raise UsageError(f"no account {exc.args[0]}") from None
        elif args.command == "list":
            for account in await admin.list_accounts():
                p = account.profile
                print(f"{p.uin}\t{int(account.auth)}\t{p.face}\t{p.nick}")
        elif args.command == "group":
            await _group(args, admin)
        elif args.command == "discussion":
            await _discussion(args, admin)
        elif args.command == "web-login":
            await _web_login(args, admin)
        return 0
    except AdminError as exc:
        raise Failure(str(exc)) from None
    finally:
        await _close(store)


def _added(conversation: Conversation, added: list[int]) -> None:
    if added:  # members already there are no news (and no error)
        print(
            f"added {' '.join(map(str, added))} to {conversation.kind.value} {conversation.number}"
        )


async def _group(args: argparse.Namespace, admin: Admin) -> None:
    if args.action == "create":
        print((await admin.create_group(args.name, args.owner)).number)
    elif args.action == "list":
        for room, members in await admin.rooms_with_members(ConversationKind.GROUP):
            uins = ",".join(str(m.uin) for m in members)
            owner = "" if room.owner is None else room.owner
            print(f"{room.conversation.number}\t{owner}\t{uins}\t{room.name}")
    else:
        group = Conversation.group(args.room)
        if args.action == "add":
            _added(group, await admin.add_members(group, args.uins))
        elif args.action == "remove":
            await admin.remove_member(group, args.uin)
            print(f"removed {args.uin} from group {group.number}")
        elif args.action == "card":
            await admin.set_card(group, args.uin, args.card)
            print(f"card of {args.uin} in group {group.number} set")


async def _discussion(args: argparse.Namespace, admin: Admin) -> None:
    if args.action == "create":
        print((await admin.create_discussion(args.name, args.uins)).number)
    elif args.action == "add":
        discussion = Conversation.discussion(args.room)
        _added(discussion, await admin.add_members(discussion, args.uins))


async def _web_login(args: argparse.Namespace, admin: Admin) -> None:
    if args.action == "list":
        for login in await admin.web_logins():
            made = datetime.fromtimestamp(login.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            print(f"{login.code}\t{login.token}\t{made}")
    elif args.action == "approve":
        login = await admin.approve_web_login(args.code, args.uin)
        print(f"web sign-in {login.code} approved for {args.uin}")
    elif args.action == "refuse":
        login = await admin.refuse_web_login(args.code)
        print(f"web sign-in {login.code} refused")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for any wrong argument)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        args = build_parser().parse_args(argv)
        return _run(args)
    except UsageError as exc:
        print(f"qqdesk-server: error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"qqdesk-server: error: {exc}", file=sys.stderr)
        return 2
    except Failure as exc:
        print(f"qqdesk-server: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
