"""``qqdesk --self-check``: prove server, client and store work together, without a window."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from qqdesk.builtin import BuiltinServer
from qqdesk.client import AccountSession
from qqdesk.client.events import MessageReceived

#: The message that travels from the first account to the second.
PROBE = "qqdesk self-check 自检 ✓"

Say = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def self_check(timeout: float = 20, *, say: Say = _stderr) -> int:
    """Run a built-in server in a temporary folder, sign two accounts in, pass a message.

    Returns 0 when everything worked, 1 on failure and 2 on time-out; each step and
    any failure is reported through ``say`` (stderr by default).
    """
    return await run_checks(
        _run, timeout=timeout, say=say, passed="self-check passed", passed_zh="自检通过"
    )


Steps = Callable[[Path, "Progress"], Awaitable[None]]


async def run_checks(steps: Steps, *, timeout: float, say: Say, passed: str, passed_zh: str) -> int:
    """Run ``steps(folder, progress)`` in a temporary folder within ``timeout``.

    0 when they passed, 1 when one raised, 2 on time-out; every step and the outcome
    go through ``say``, in English and Chinese.
    """
    started = time.monotonic()
    progress = Progress(say)
    try:
        async with asyncio.timeout(timeout):
            with tempfile.TemporaryDirectory(prefix="qqdesk-selfcheck-") as tmp:
                await steps(Path(tmp), progress)
    except TimeoutError:
        say(f"self-check FAILED: timed out after {timeout:g} s while {progress.step}")
        say(f"自检失败:{progress.step} 超时({timeout:g} 秒)")
        return 2
    except Exception as exc:
        say(f"self-check FAILED while {progress.step}: {type(exc).__name__}: {exc}")
        say(f"自检失败:{type(exc).__name__}: {exc}")
        return 1
    say(f"{passed} in {time.monotonic() - started:.1f} s / {passed_zh}")
    return 0


class Progress:
    """Says each step as it starts, and remembers it for the failure report."""

    def __init__(self, say: Say) -> None:
        self.say = say
        self.step = "starting"

    def __call__(self, step: str) -> None:
        self.step = step
        self.say(f"self-check: {step}")


@contextlib.asynccontextmanager
async def two_accounts(
    directory: Path, progress: Progress, *, friends: bool = False
) -> AsyncIterator[tuple[AccountSession, AccountSession]]:
    """A built-in server in ``directory`` with two accounts, both signed in.

    With ``friends`` each is in the other's list. Leaving signs both out and stops
    the server; histories stay in ``directory``, never in the user's data.
    """
    progress("starting the built-in server")
    server = await BuiltinServer.start(directory / "server", port=0)
    try:
        progress(f"creating two accounts on {server.url}")
        first = server.create_account("selfcheck-1", "Self-check 1")
        second = server.create_account("selfcheck-2", "Self-check 2 自检")
        if friends:
            server.server.admin.add_buddy(first, second)
            server.server.admin.add_buddy(second, first)
        progress(f"signing in {first} and {second}")
        one = AccountSession(server.url, first, "selfcheck-1", store=directory / "1.sqlite3")
        two = AccountSession(server.url, second, "selfcheck-2", store=directory / "2.sqlite3")
        async with one, two:  # entering logs in
            yield one, two
            progress("signing out")
            await one.logout()
            await two.logout()
        progress("stopping the built-in server")
    finally:
        with contextlib.suppress(Exception):
            await server.stop()


async def _run(directory: Path, progress: Progress) -> None:
    async with two_accounts(directory, progress) as (sender, receiver):
        progress(f"sending a message from {sender.uin} to {receiver.uin}")
        await sender.send_message(receiver.uin, PROBE)
        progress("waiting for the message to arrive")
        await receive(receiver, sender.uin, PROBE)


async def receive(session: AccountSession, sender: int, text: str) -> None:
    async for event in session.events():
        if isinstance(event, MessageReceived) and event.sender == sender:
            if event.text != text:
                raise RuntimeError(f"message arrived changed: {event.text!r} != {text!r}")
            return
    raise RuntimeError("the session's events ended before the message arrived")


def main() -> int:
    """``python -m qqdesk.selfcheck``: the same check for CI, exit code as the result."""
    return asyncio.run(self_check())


if __name__ == "__main__":
    raise SystemExit(main())
