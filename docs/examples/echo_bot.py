"""Echo bot: answers every message a buddy sends it with the same text.

Usage: python echo_bot.py http://127.0.0.1:8000 10001 password
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from qqdesk.client import AccountSession, MessageReceived


async def echo(server_url: str, uin: int, password: str) -> None:
    async with AccountSession(server_url, uin, password) as session:
        print(f"{uin} is online; Ctrl+C stops")
        async for event in session.events():
            if isinstance(event, MessageReceived) and event.conversation.is_buddy:
                await session.send_message(event.conversation, event.content)


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    server_url, uin, password = sys.argv[1:]
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(echo(server_url, int(uin), password))


if __name__ == "__main__":
    main()
