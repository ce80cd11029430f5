"""``python -m qqdesk.demo``: the demo world without a window, for any client, legacy ones too."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from qqdesk.builtin import DEFAULT_PORT

from . import Demo, start_demo


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qqdesk.demo",
        description="Run the qqdesk demo server with its bots, without a window. "
        "无窗口运行 qqdesk 演示服务器和机器人。",
    )
    parser.add_argument(
        "--lan",
        action="store_true",
        help="let other machines connect (every demo password is 'demo'; default: this machine)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port to listen on; a free one is taken if it is in use (default %(default)s)",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder of the demo store, reset on every run (default: 'demo' in the user data)",
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="how much faster the bots act (default 1)"
    )
    return parser


def welcome(demo: Demo) -> str:
    """What to tell the person who started the demo, in English and Chinese."""
    lines = [
        f"qqdesk demo server: {demo.address}  ({demo.server_url})",
        f"Sign in as {demo.uin}, password '{demo.password}'. Ctrl+C stops the demo.",
        f"演示服务器：{demo.address}；请用号码 {demo.uin}、密码 '{demo.password}' 登录。"
        "按 Ctrl+C 结束。",
    ]
    for url in demo.server.lan_urls:
        lines.append(f"Other machines / 其他电脑：{url}")
    if demo.server.notice:
        lines.append(demo.server.notice)
    return "\n".join(lines)


async def serve(
    args: argparse.Namespace,
    *,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[Demo], None] | None = None,
) -> int:
    """Run the demo until ``stop`` is set or the process is asked to end (SIGINT, SIGTERM)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Windows' loop has no signal handlers; Ctrl+C ends asyncio.run there instead.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    try:
        demo = await start_demo(args.dir, speed=args.speed, port=args.port, lan=args.lan)
        try:
            print(welcome(demo), flush=True)
            if on_ready is not None:
                on_ready(demo)
            await stop.wait()
        finally:
            await demo.stop()
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.speed <= 0:
        print("--speed must be positive / --speed 必须大于 0", file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
