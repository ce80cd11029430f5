"""The PySide6 desktop app: start-up, session bridge, models, windows and dialogs."""
