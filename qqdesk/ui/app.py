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
from PySide6.QtCore import QByteArray, QCoreApplication, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication

from . import icons
from .crash import CrashReporter
from .emoji import install_emoji_font
from .i18n import install_translator
from .logs import configure_logging
from .qtcompat import collect_garbage_in_gui_thread, forget_module_sources, protect_none
from .settings import BUILTIN_SERVER, Settings, SettingsError, load_settings
from .tasks import spawn
from .theme import apply_theme

if TYPE_CHECKING:
    # Only for hints: the client (and httpx) load when a session is made.
    from PySide6.QtWidgets import QMessageBox

    from qqdesk.builtin import BuiltinServer
    from qqdesk.client.api import ChatSession
    from qqdesk.demo import Demo

    from .accounts import AccountsWindow
    from .login import LoginDialog, SessionFactory
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
        # The main window: one page per signed-in account (ui/accounts.py).
        self.shell: AccountsWindow | None = None
        self.login: LoginDialog | None = None
        # Makes the sessions of the accounts signed in again at start (tests give theirs).
        self.session_factory: SessionFactory | None = None
        # The signed-in numbers on the built-in server: it keeps running for them.
        self._on_builtin: set[int] = set()
        self.exit_code = 0
        # Set by quit(): a dialog closed by the shutdown must not start another.
        self._shutting_down = False
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

    @property
    def window(self) -> MainWindow | None:
        """The page of the account shown in the main window."""
        return self.shell.current_page() if self.shell is not None else None

    @property
    def session(self) -> ChatSession | None:
        """The session of the account shown in the main window."""
        window = self.window
        return window.session if window is not None else None

    def signed_in_numbers(self) -> list[int]:
        return self.shell.numbers() if self.shell is not None else []

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

    def show_login(self, number: int | None = None, error: str = "") -> LoginDialog:
        """The sign-in dialog: the first account, or one more beside those signed in."""
        from .login import LoginDialog

        if self.login is not None and self.login.isVisible():
            self.login.raise_()
            self.login.activateWindow()
            return self.login
        login = LoginDialog(self.settings, offer_builtin=True, signed_in=self.signed_in_numbers)
        login.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.login = login
        login.destroyed.connect(lambda *_: self._login_gone(login))
        if self.args.server:
            login.use_other_server(self.args.server)
        if number is not None:
            login.number_edit.setText(str(number))
            login.password_edit.setFocus()
        if error:
            login.show_error(error)
        login.loggedIn.connect(
            lambda session: self.signed_in(session, on_builtin=login.builtin_chosen())
        )
        login.rejected.connect(self._login_cancelled)
        login.builtinRequested.connect(self.start_builtin)
        if login.builtin_chosen():
            self.start_builtin()
        login.show()
        login.raise_()
        return login

    def _login_gone(self, login: LoginDialog) -> None:
        if self.login is login:
            self.login = None

    def _login_cancelled(self) -> None:
        # Cancel beside a signed-in account closes the dialog; with none it quits.
        if not self.signed_in_numbers():
            self.quit(0)

    def add_account(self) -> None:
        """ "Add account…": the sign-in dialog for another number or server."""
        self.show_login()

    def start(self) -> None:
        """Sign in again the accounts signed in at the last quit; else the sign-in dialog."""
        numbers = list(self.settings.signed_in_accounts) if self.settings is not None else []
        if not numbers:
            self.show_login()
            return
        from .errors import describe_error  # loads the client, as signing in does

        def failed(exc: BaseException) -> None:
            self.show_login(error=describe_error(exc, signing_in=True))

        spawn(self._sign_in_again(numbers), on_error=failed)

    async def _sign_in_again(self, numbers: list[int]) -> None:
        """Sign ``numbers`` in with their kept servers and passwords, all at once."""
        from .errors import describe_error
        from .login import PasswordStore, default_session_factory, make_session, server_url

        assert self.settings is not None
        factory = self.session_factory or default_session_factory
        passwords = PasswordStore()
        servers = self.settings.account_servers
        # (number, server) for those that can sign in by themselves; the rest need me.
        ready: list[tuple[int, str, str]] = []
        missing: list[int] = []
        for uin in numbers:
            password = passwords.get(uin)
            server = servers.get(str(uin))
            if password and server:
                ready.append((uin, server, password))
            else:
                missing.append(uin)

        async def one(uin: int, server: str, password: str) -> ChatSession:
            if server == BUILTIN_SERVER:
                url = str((await self._builtin_ready()).url)
            else:
                url = server_url(server)
            session = make_session(factory, self.settings, url, uin, password)
            try:
                await session.login()
            except BaseException:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(session.close(), 5)
                raise
            return session

        results = await asyncio.gather(
            *(one(uin, server, password) for uin, server, password in ready),
            return_exceptions=True,
        )
        failed: list[tuple[int, BaseException]] = []
        signed: list[tuple[ChatSession, bool]] = []
        for (uin, server, _password), result in zip(ready, results, strict=True):
            if isinstance(result, BaseException):
                log.info("signing %d in again failed: %r", uin, result)
                failed.append((uin, result))
            else:
                signed.append((result, server == BUILTIN_SERVER))
        if self.finished.done():
            # Quit meanwhile: the shutdown ran without these.
            for session, _builtin in signed:
                spawn(self._close_session(session))
            return
        # Known before any page is made, so an account elsewhere does not stop the
        # built-in server under one on it.
        self._on_builtin.update(session.uin for session, builtin in signed if builtin)
        for session, builtin in signed:
            self.signed_in(session, on_builtin=builtin)
        if self.shell is not None and self.shell.pages():
            # The switcher as it was: the first account in front.
            self.shell.show_page(self.shell.pages()[0])
        if failed or missing:
            first = failed[0][0] if failed else missing[0]
            reason = describe_error(failed[0][1], signing_in=True) if failed else ""
            if self.shell is None or not self.shell.pages():
                self.show_login(first, reason)
            else:
                self.shell.tell_not_signed_in([uin for uin, _ in failed] + missing, reason)

    async def _builtin_ready(self) -> Any:
        """The built-in server, started first when it is not running."""
        if self.builtin is not None:
            return self.builtin
        self.start_builtin()
        task = self._builtin_task
        if task is None:  # started meanwhile
            return self.builtin
        return await asyncio.shield(task)

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
        self.signed_in(session, on_builtin=None)

    async def _stop_demo(self, session: ChatSession | None = None) -> None:
        demo, self.demo = self.demo, None
        if session is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(session.close(), 5)
        if demo is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(demo.stop(), 5)

    def signed_in(self, session: ChatSession, *, on_builtin: bool | None = False) -> None:
        """An account signed in: its page in the main window (made on the first one).

        ``on_builtin``: it uses the built-in server (None: neither, the demo's own).
        """
        from .accounts import AccountsWindow

        if on_builtin:
            self._on_builtin.add(session.uin)
        elif on_builtin is False and not self._on_builtin:
            # Signed in elsewhere: the built-in server would only hold its port.
            if self._builtin_task is not None:
                self._builtin_task.cancel()
            spawn(self._stop_builtin())
        first = self.shell is None
        if self.shell is None:
            self.shell = AccountsWindow(self.settings)
            self.shell.quitRequested.connect(lambda: self.quit(0))
            self.shell.addAccountRequested.connect(self.add_account)
            self.shell.signOutRequested.connect(self.sign_out)
            self.shell.notSignedInClicked.connect(lambda uin: self.show_login(uin))
            if self.demo is not None:
                # The demo world has one account; the user's own stay out of it.
                self.shell.add_account_action.setVisible(False)
            geometry = self.settings.geometry("main") if self.settings is not None else None
            if geometry:
                self.shell.restoreGeometry(QByteArray(geometry))
        page = self.shell.add_session(session)
        self._remember_signed_in()
        start_in_tray = self.settings is not None and self.settings.start_in_tray
        if not (first and start_in_tray and self.shell.tray is not None):
            self.shell.show()
        page.start()

    def _remember_signed_in(self) -> None:
        """Keep the signed-in numbers for the next start (never the demo's)."""
        if self.settings is None or self.demo is not None or self.shell is None:
            return
        try:
            self.settings.signed_in_accounts = self.shell.numbers()
            self.settings.save()
        except (SettingsError, ValueError) as exc:
            log.warning("%s", exc)

    def sign_out(self, page: MainWindow) -> None:
        """Sign one account out (its windows close); the last one brings the sign-in back."""
        if self.shell is None:
            return
        session = page.session
        self.shell.remove_page(page)
        self._on_builtin.discard(session.uin)
        self._remember_signed_in()
        spawn(self._close_session(session, page))
        if self.shell.pages():
            return
        if self.demo is not None:
            self.quit(0)
            return
        self.shell.hide()
        self.show_login(session.uin)

    async def _close_session(self, session: ChatSession, page: MainWindow | None = None) -> None:
        # close() logs out and closes the history store.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(session.close(), 5)
        if page is not None:
            page.deleteLater()

    def bring_to_front(self) -> None:
        if self.shell is not None and self.shell.pages():
            self.shell.bring_to_front()
        elif self.login is not None:
            self.login.show()
            self.login.raise_()
            self.login.activateWindow()

    def quit(self, code: int = 0) -> None:
        """Log out (if signed in), close every window, end the loop."""
        if self.finished.done() or self._shutting_down:
            return
        self._shutting_down = True
        self.exit_code = code
        spawn(self._shutdown())

    async def _shutdown(self) -> None:
        sessions = []
        if self.shell is not None:
            sessions = [page.session for page in self.shell.pages()]
            self.shell.shutdown()
        if self.login is not None:
            self.login.close()
        await asyncio.gather(*(self._close_session(session) for session in sessions))
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
    forget_module_sources()  # (of the imports so far; the main window's start does it again)
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
                app.start()
            return int(loop.run_until_complete(app.finished))
    except Exception as exc:
        # The loop is gone, so the report shows its dialog here and now.
        crashes.report(exc, exc.__traceback__, "qqdesk stopped")
        return 1
    finally:
        crashes.uninstall()
