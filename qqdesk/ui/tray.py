"""The system tray icon: unread count, Open, Status and Quit."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from qqdesk.core import Presence

from . import icons
from .chat import status_words

#: Order of statuses in every status menu, as QQ users know it.
STATUS_ORDER = (Presence.ONLINE, Presence.BUSY, Presence.HIDDEN, Presence.OFFLINE)


class Tray(QObject):
    """Wraps QSystemTrayIcon; shows the unread count on the icon and in the tooltip."""

    openRequested = Signal()
    quitRequested = Signal()
    statusRequested = Signal(Presence)
    #: the user switched do-not-disturb on or off in the tray menu
    doNotDisturbToggled = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(icons.tray_icon(0), self)
        self.unread = 0
        # After dispose() the menu is gone; a late language change must not touch it.
        self.disposed = False
        self.menu = QMenu()
        self.open_action = self.menu.addAction(self.tr("&Open qqdesk"))
        self.open_action.triggered.connect(self.openRequested)
        self.status_menu = self.menu.addMenu(self.tr("&Status"))
        self._status_group = QActionGroup(self)
        self._status_actions: dict[Presence, QAction] = {}
        for status in STATUS_ORDER:
            action = self.status_menu.addAction(icons.status_icon(status), status_words(status))
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, s=status: self.statusRequested.emit(s))
            self._status_group.addAction(action)
            self._status_actions[status] = action
        self.dnd_action = self.menu.addAction(self.tr("&Do not disturb"))
        self.dnd_action.setCheckable(True)
        self.dnd_action.toggled.connect(self.doNotDisturbToggled)
        self.menu.addSeparator()
        self.quit_action = self.menu.addAction(self.tr("&Quit"))
        self.quit_action.triggered.connect(self.quitRequested)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._update_tooltip()

    def retranslate(self) -> None:
        """The menu and tooltip in the language installed now (a QObject gets no event)."""
        if self.disposed:
            return
        self.open_action.setText(self.tr("&Open qqdesk"))
        self.status_menu.setTitle(self.tr("&Status"))
        for status, action in self._status_actions.items():
            action.setText(status_words(status))
        self.dnd_action.setText(self.tr("&Do not disturb"))
        self.quit_action.setText(self.tr("&Quit"))
        self._update_tooltip()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_status(self, status: Presence) -> None:
        action = self._status_actions.get(status)
        if action is not None:
            action.setChecked(True)

    def set_do_not_disturb(self, on: bool) -> None:
        """Show the switch's state (no signal: it came from elsewhere)."""
        blocked = self.dnd_action.blockSignals(True)
        self.dnd_action.setChecked(on)
        self.dnd_action.blockSignals(blocked)

    def set_unread(self, count: int) -> None:
        if count == self.unread:
            return
        self.unread = count
        self.icon.setIcon(icons.tray_icon(count))
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        if self.unread:
            self.icon.setToolTip(self.tr("qqdesk — %n unread message(s)", "", self.unread))
        else:
            self.icon.setToolTip(self.tr("qqdesk"))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.openRequested.emit()

    def dispose(self) -> None:
        self.disposed = True
        self.icon.hide()
        self.menu.deleteLater()
