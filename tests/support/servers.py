"""Live servers for tests: ServerThread (own loop in a thread) and ServerProcess (the real CLI)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, TypeVar

from qqdesk.server import QQServer, SqliteStore

from .wire import free_port, port_accepts

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]

#: scrypt cost for test servers (production uses 2**14; each hash stores its own cost).
TEST_SCRYPT_N = 2**8


class ServerThread:
    """A QQServer on 127.0.0.1:<free port>, running its own asyncio loop in a background thread.

    Use as a context manager (or call start()/stop()). Account helpers are
    thread-safe: they run on the server's loop.
    """

    def __init__(self, db_path: str | Path | None = None, **server_kwargs: Any) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="qqdesk-server-")
            db_path = Path(self._tmp.name) / "server.sqlite3"
        self.db_path = Path(db_path)
        # Tests create many accounts; a cheap password hash keeps them fast.
        server_kwargs.setdefault("scrypt_n", TEST_SCRYPT_N)
        self.server_kwargs = server_kwargs
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: QQServer | None = None

    @property
    def server(self) -> QQServer:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return self._server

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> ServerThread:
        ready: concurrent.futures.Future[QQServer] = concurrent.futures.Future()
        loop = asyncio.new_event_loop()
        self.loop = loop

        async def boot() -> None:
            server = QQServer(SqliteStore(self.db_path, read_cache=True), **self.server_kwargs)
            try:
                await server.start("127.0.0.1", 0)
            except BaseException as exc:
                await server.stop()
                ready.set_exception(exc)
                return
            ready.set_result(server)

        def run() -> None:
            asyncio.set_event_loop(loop)
            booting = loop.create_task(boot())
            loop.run_forever()
            booting.cancel()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="qqdesk-test-server", daemon=True)
        self._thread.start()
        try:
            self._server = ready.result(timeout=30)
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(10)
            raise
        return self

    def call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a plain function on the server's loop thread and return its result."""
        if self.loop is None:
            raise RuntimeError("the server is not running")

        async def run() -> Any:
            return func(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=30)

    def run(self, coro: Any, timeout: float = 30) -> Any:
        """Run a coroutine on the server's loop and return its result."""
        if self.loop is None:
            raise RuntimeError("the server is not running")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=timeout)

    def create_account(
        self,
        uin: int | None,
        password: str,
        nick: str = "",
        auth: int = 0,
        face: int = 0,
        **profile: Any,
    ) -> int:
        admin = self.server.admin
        return int(self.call(admin.create_account, uin, password, nick, auth, face, **profile))

    def add_buddy(self, uin: int, buddy: int) -> None:
        self.call(self.server.admin.add_buddy, uin, buddy)

    def stop(self) -> None:
        """Stop the server and its thread; safe to call twice."""
        loop, thread, server = self.loop, self._thread, self._server
        self.loop = None
        if loop is not None and server is not None and not loop.is_closed():
            try:
                asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=15)
            finally:
                loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(15)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ServerProcess:
    """``python -m qqdesk.server serve`` as a child process on a fixed loopback port."""

    def __init__(
        self, db_path: str | Path, port: int | None = None, idle_timeout: float = 300
    ) -> None:
        self.db_path = Path(db_path)
        self.port = port or free_port()
        self.idle_timeout = idle_timeout
        self.process: subprocess.Popen[bytes] | None = None
        #: The server's own log (its stderr), kept beside the store.
        self.log_path = self.db_path.parent / (self.db_path.name + ".log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 30) -> ServerProcess:
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("already running")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "qqdesk.server",
                "serve",
                "--db",
                str(self.db_path),
                "--port",
                str(self.port),
                "--idle-timeout",
                str(self.idle_timeout),
            ],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            env=env,
        )
        log_file.close()
        deadline = time.monotonic() + timeout
        while not port_accepts(self.port):
            if self.process.poll() is not None:
                err = self.log_path.read_text(errors="replace")
                self.process = None
                raise RuntimeError(f"server process ended: {err.strip()}")
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"server did not listen on port {self.port}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        """SIGKILL: no chance to flush or close anything."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)

    def stop(self) -> None:
        """SIGTERM and wait; SIGKILL if it does not end in time. Safe to call twice."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def restart(self) -> ServerProcess:
        self.stop()
        return self.start()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __del__(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
