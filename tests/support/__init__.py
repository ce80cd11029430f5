"""Helpers other test packages import: live servers (thread, process) and raw HTTP."""
