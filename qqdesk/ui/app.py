"""Start-up of the desktop app: arguments, Qt with a qasync loop, one instance per user."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import getpass
import hashlib
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QByteArray, QCoreApplication, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication

from . import icons
from .crash import CrashReporter
from .emoji import install_emoji_font
from .i18n import install_translator
from .logs import configure_logging
from .qtcompat import collect_garbage_in_gui_thread, protect_none
from .settings import Settings, SettingsError, load_settings
from .tasks import spawn
from .theme import apply_theme

if TYPE_CHECKING:
    # Only for hints: the client (and httpx) load when a session is made.
    from PySide6.QtWidgets import QMessageBox

    from qqdesk.builtin import BuiltinServer
    from qqdesk.client.api import ChatSession
    from qqdesk.demo import Demo

    from .login import LoginDialog
    from .mainwindow import MainWindow

log = logging.getLogger(__name__)

APP_ID = "io.github.qqdesk.Qqdesk"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qqdesk", description="Desktop messenger for the HTTP QQ protocol."
    )
    parser.add_argument(
        "--server", metavar="HOST:PORT", help="server to sign in to (default: from settings)"
    )
    parser.add_argument("--debug", action="store_true", help="log everything to stderr")
    parser.add_argument(
        "--lang", choices=("en", "zh_CN"), help="interface language (default: from settings)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="try qqdesk on a built-in demo server with bots (your own data is not touched)",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check that the built-in server and the client work together, then exit",
    )
    return parser


# -- one instance per user ----------------------------------------------------------------


def instance_key(
    user: str | None = None, *, demo: bool = False, folder: Path | str | None = None
) -> str:
    """The local socket name of the running instance: one per user and data folder
    (and one demo beside it).

    Two copies on one data folder would fight over it, so the second raises the
    first; a copy with folders of its own (another XDG_DATA_HOME, as every test that
    starts the app has) is another app and runs beside it.
    """
    user = user if user is not None else getpass.getuser()
    if folder is None:
        from qqdesk.builtin import default_data_dir

        folder = default_data_dir()
    who = f"{user}\0{Path(folder).resolve()}"
    key = "qqdesk-" + hashlib.sha1(who.encode("utf-8")).hexdigest()[:16]
    return key + "-demo" if demo else key


class SingleInstance(QObject):
    """Owns the per-user local socket; a second launch asks the first to raise its window."""

    raiseRequested = Signal()

    def __init__(self, key: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key or instance_key()
        self.server: QLocalServer | None = None
        self._clients: set[QLocalSocket] = set()

    def tell_running(self, timeout_ms: int = 1000) -> bool:
        """True when another instance answered (and was asked to show itself)."""
        socket = QLocalSocket()
        socket.connectToServer(self.key)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(QByteArray(b"raise\n"))
        socket.flush()
        socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(timeout_ms)
        return True

    def listen(self) -> bool:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            # A crashed instance leaves its socket file behind; nobody answered on it.
            QLocalServer.removeServer(self.key)
            if not server.listen(self.key):
                log.warning(
                    "single instance: cannot listen on %s: %s", self.key, server.errorString()
                )
                return False
        server.newConnection.connect(self._connection)
        self.server = server
        return True

    def _connection(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._clients.add(socket)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _read(self, socket: QLocalSocket) -> None:
        data = bytes(socket.readAll().data())
        if b"raise" in data:
            self.raiseRequested.emit()

    def _drop(self, socket: QLocalSocket) -> None:
        if socket in self._clients:
            self._clients.discard(socket)
            socket.deleteLater()

    def close(self) -> None:
        for socket in list(self._clients):
            socket.readyRead.disconnect()
            socket.disconnected.disconnect()
            socket.abort()
            socket.deleteLater()
        self._clients.clear()
        if self.server is not None:
            self.server.close()
            self.server.deleteLater()
            self.server = None


# -- the application ------------------------------------------------------------------


class App(QObject):
    """What runs between start and quit: settings, sign-in, the main window, shutdown."""

    def __init__(self, qapp: QApplication, args: argparse.Namespace) -> None:
        super().__init__()
        self.qapp = qapp
        self.args = args
        self.settings = self._load_settings()
        if args.server and self.settings is not None:
            try:
                self.settings.server = args.server
            except SettingsError as exc:
                log.warning("--server %s: %s", args.server, exc)
        self.session: ChatSession | None = None
        self.window: MainWindow | None = None
        self.login: LoginDialog | None = None
        self.exit_code = 0
        self.finished: asyncio.Future[int] = asyncio.get_event_loop().create_future()
        self.instance: SingleInstance | None = None
        # The running demo (``--demo``): its server, bots and the user's demo account.
        self.demo: Demo | None = None
        self.demo_error: QMessageBox | None = None
        # The built-in server (a qqdesk.builtin.BuiltinServer) while it runs.
        self.builtin: BuiltinServer | None = None
        self._builtin_task: asyncio.Task[Any] | None = None
        # The port the built-in server asks for first (tests use 0: any free port).
        self.builtin_port = 8000

    def _load_settings(self) -> Settings | None:
        """The user's settings; None (defaults, nothing saved) when they cannot be read."""
        try:
            return load_settings()
        except (OSError, SettingsError):
            log.exception("settings could not be loaded")
            return None

    def apply_language_and_theme(self) -> None:
        settings = self.settings
        install_translator(
            self.qapp, self.args.lang or (settings.language if settings else "system")
        )
        if settings is not None:
            apply_theme(self.qapp, settings.theme)
            settings.subscribe(self._setting_changed)

    def _setting_changed(self, name: str) -> None:
        if self.settings is None:
            return
        if name == "language" and not self.args.lang:
            install_translator(self.qapp, self.settings.language)
        elif name == "theme":
            apply_theme(self.qapp, self.settings.theme)
        try:
            self.settings.save()
        except SettingsError as exc:
            log.warning("%s", exc)

    def show_login(self) -> None:
        from .login import LoginDialog

        self.login = LoginDialog(self.settings, offer_builtin=True)
        if self.args.server:
            self.login.use_other_server(self.args.server)
        self.login.loggedIn.connect(self.signed_in)
        self.login.rejected.connect(lambda: self.quit(0))
        self.login.builtinRequested.connect(self.start_builtin)
        if self.login.builtin_chosen():
            self.start_builtin()
        self.login.show()
        self.login.raise_()

    # -- the built-in server -------------------------------------------------------------

    def start_builtin(self) -> None:
        """Start the built-in server (once) and hand it to the sign-in dialog when it listens."""
        if self.builtin is not None:
            if self.login is not None:
                self.login.set_builtin(self.builtin)
            return
        if self._builtin_task is not None:
            return
        from qqdesk.builtin import BuiltinServer

        lan = self.settings is not None and self.settings.expose_on_lan
        self._builtin_task = spawn(
            BuiltinServer.start(lan=lan, port=self.builtin_port),
            on_done=self._builtin_started,
            on_error=self._builtin_failed,
        )

    def _builtin_started(self, builtin: Any) -> None:
        self._builtin_task = None
        self.builtin = builtin
        if builtin.port_changed:
            log.warning("%s", builtin.notice.replace("\n", " "))
        if self.finished.done():
            spawn(self._stop_builtin())
        elif self.login is not None:
            self.login.set_builtin(builtin)

    def _builtin_failed(self, exc: BaseException) -> None:
        self._builtin_task = None
        log.error("the built-in server did not start", exc_info=exc)
        if self.login is not None:
            self.login.builtin_failed(exc)

    async def _stop_builtin(self) -> None:
        builtin, self.builtin = self.builtin, None
        if builtin is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(builtin.stop(), 5)

    # -- the demo ----------------------------------------------------------------------

    def start_demo(self, *, speed: float = 1.0, base_dir: Any | None = None) -> None:
        """Start the demo world and sign its account in; the main window follows.

        The demo keeps everything in its own folder and never writes the server or the
        number into the user's settings.
        """
        from qqdesk.demo import start_demo

        async def run() -> Any:
            self.demo = await start_demo(base_dir, speed=speed)
            return await self.demo.sign_in()

        def failed(exc: BaseException) -> None:
            log.error("the demo could not start", exc_info=exc)
            self.tell_demo_failed(exc)

        spawn(run(), on_done=self._demo_signed_in, on_error=failed)

    def tell_demo_failed(self, exc: BaseException) -> None:
        """Say why the demo did not start (a launcher has no terminal), then quit with 1."""
        from PySide6.QtWidgets import QMessageBox

        self.demo_error = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("qqdesk demo"),
            self.tr("The demo could not start: {reason}").format(
                reason=str(exc) or type(exc).__name__
            ),
        )
        self.demo_error.finished.connect(lambda _: self.quit(1))
        self.demo_error.show()

    def _demo_signed_in(self, session: ChatSession) -> None:
        if self.finished.done():
            # Quit while the demo was starting: the shutdown already ran without it.
            spawn(self._stop_demo(session))
            return
        self.signed_in(session)

    async def _stop_demo(self, session: ChatSession | None = None) -> None:
        demo, self.demo = self.demo, None
        if session is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(session.close(), 5)
        if demo is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(demo.stop(), 5)

    def signed_in(self, session: ChatSession) -> None:
        from .mainwindow import MainWindow

        self.session = session
        if self.login is not None and not self.login.builtin_chosen():
            # Signed in elsewhere: the built-in server would only hold its port.
            if self._builtin_task is not None:
                self._builtin_task.cancel()
            spawn(self._stop_builtin())
        self.window = MainWindow(session, settings=self.settings)
        self.window.quitRequested.connect(lambda: self.quit(0))
        geometry = self.settings.geometry("main") if self.settings is not None else None
        if geometry:
            self.window.restoreGeometry(QByteArray(geometry))
        start_in_tray = self.settings is not None and self.settings.start_in_tray
        if not (start_in_tray and self.window.tray is not None):
            self.window.show()
        self.window.start()

    def bring_to_front(self) -> None:
        if self.window is not None:
            self.window.bring_to_front()
        elif self.login is not None:
            self.login.show()
            self.login.raise_()
            self.login.activateWindow()

    def quit(self, code: int = 0) -> None:
        """Log out (if signed in), close every window, end the loop."""
        if self.finished.done():
            return
        self.exit_code = code
        spawn(self._shutdown())

    async def _shutdown(self) -> None:
        if self.window is not None:
            self.window.shutdown()
        if self.session is not None:
            # close() logs out and closes the history store.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.session.close(), 5)
        if self._builtin_task is not None:
            self._builtin_task.cancel()
        await self._stop_demo()
        await self._stop_builtin()
        if self.settings is not None:
            with contextlib.suppress(Exception):
                self.settings.save()
        if self.instance is not None:
            self.instance.close()
        if not self.finished.done():
            self.finished.set_result(self.exit_code)


def create_qapplication(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication(argv)
    QCoreApplication.setApplicationName("qqdesk")
    QCoreApplication.setOrganizationName("qqdesk")
    QCoreApplication.setOrganizationDomain("qqdesk.github.io")
    QApplication.setApplicationDisplayName("qqdesk")
    QApplication.setDesktopFileName(APP_ID)
    qapp.setWindowIcon(icons.app_icon())
    install_emoji_font()
    # Server, store and executor threads share this process: Qt objects must never
    # be freed in them, so the cyclic collector runs from Qt's loop instead.
    collect_garbage_in_gui_thread(qapp)
    # Closing the main window may only hide it; quitting is the App's decision.
    qapp.setQuitOnLastWindowClosed(False)
    return qapp


def run_self_check(qt_args: list[str]) -> int:
    """``--self-check``: server, client and store first, then Qt and the windows."""
    from qqdesk.selfcheck import self_check

    from .selfcheck import check_windows, choose_platform

    code = asyncio.run(self_check())
    if code != 0:
        return code
    choose_platform()
    qapp = create_qapplication([sys.argv[0], *qt_args])
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    with loop:
        say = functools.partial(print, file=sys.stderr, flush=True)
        return int(loop.run_until_complete(check_windows(qapp, say)))


def tell_running_instance(
    qapp: QApplication, args: argparse.Namespace, instance: SingleInstance
) -> bool:
    """A second launch: True when one runs already; it was asked to come to the front,
    and one line on stderr (in the user's language) says so, as nothing else shows."""
    if not instance.tell_running():
        return False
    log.info("qqdesk already runs for this user; asked it to come to the front")
    language = args.lang
    if not language:
        try:
            language = load_settings().language
        except (OSError, SettingsError):
            language = "system"
    install_translator(qapp, language)
    if args.demo:
        text = QCoreApplication.translate(
            "App", "The qqdesk demo is already running; its window was brought to the front."
        )
    else:
        text = QCoreApplication.translate(
            "App", "qqdesk is already running; its window was brought to the front."
        )
    print(text, file=sys.stderr, flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the desktop app; returns the process exit code."""
    protect_none()
    argv = list(sys.argv[1:] if argv is None else argv)
    args, qt_args = build_parser().parse_known_args(argv)
    log_file = configure_logging(args.debug)
    if args.self_check:
        return run_self_check(qt_args)
    log.info("qqdesk starts (log: %s)", log_file)
    qapp = create_qapplication([sys.argv[0], *qt_args])
    crashes = CrashReporter(log_file, qapp)

    instance = SingleInstance(instance_key(demo=args.demo))
    if tell_running_instance(qapp, args, instance):
        return 0

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    crashes.install(loop)
    try:
        with loop:
            app = App(qapp, args)
            app.instance = instance
            instance.listen()
            instance.raiseRequested.connect(app.bring_to_front)
            for signum in (signal.SIGINT, signal.SIGTERM):
                # Ctrl+C or a session ending: sign out and stop the servers, not just die.
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, app.quit, 0)
            app.apply_language_and_theme()
            if args.demo:
                app.start_demo()
            else:
                app.show_login()
            return int(loop.run_until_complete(app.finished))
    except Exception as exc:
        # The loop is gone, so the report shows its dialog here and now.
        crashes.report(exc, exc.__traceback__, "qqdesk stopped")
        return 1
    finally:
        crashes.uninstall()
