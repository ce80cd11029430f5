"""Group echo bot: in a group or discussion, answers a message that mentions it.

Usage: python group_echo_bot.py http://127.0.0.1:8000 10001 password
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from qqdesk.client import AccountSession, MessageReceived


async def group_echo(server_url: str, uin: int, password: str) -> None:
    async with AccountSession(server_url, uin, password) as session:
        nick = session.nick or (await session.profile(uin, 1)).nick
        print(f"{uin} is online in {len(await session.rooms())} rooms; Ctrl+C stops")
        async for event in session.events():
            if not isinstance(event, MessageReceived) or event.conversation.is_buddy:
                continue
            # Mentions are plain text: "@" and the name the room shows (card, else nickname).
            members = {m.uin: m for m in await session.members(event.conversation)}
            me = members.get(uin)
            names = [n for n in (me.card if me else "", nick, str(uin)) if n]
            mention = next((f"@{n}" for n in names if f"@{n}" in event.text), None)
            if mention is None:
                continue
            sender = members.get(event.sender)
            said = event.text.replace(mention, "").strip()
            await session.send_message(
                event.conversation, f"@{sender.name if sender else event.sender} {said}"
            )


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    server_url, uin, password = sys.argv[1:]
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(group_echo(server_url, int(uin), password))


if __name__ == "__main__":
    main()
