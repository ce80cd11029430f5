"""The Linux desktop entry, the AppStream metainfo and the sound say what the app is."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import tomllib
import wave
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import qqdesk

REPO = Path(__file__).resolve().parents[2]
LINUX = REPO / "resources" / "linux"
APP_ID = "io.github.qqdesk.Qqdesk"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def gui_script() -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (name,) = project["gui-scripts"]
    return str(name)


def test_desktop_entry_keys() -> None:
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"]
    assert entry["Name[zh_CN]"]
    assert entry["Comment"]
    assert entry["Comment[zh_CN]"]
    assert entry["Exec"] == f"{gui_script()} %u"
    assert entry["Icon"] == APP_ID
    assert entry["Categories"].split(";")[:3] == ["Network", "InstantMessaging", "Chat"]
    assert entry["Categories"].endswith(";")
    assert entry["StartupWMClass"]
    assert entry["Keywords"].endswith(";")
    assert entry["Keywords[zh_CN]"].endswith(";")


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils absent")
def test_desktop_entry_validates() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_matches_the_app() -> None:
    root = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    launchable = root.find("launchable")
    assert launchable is not None
    assert launchable.text == f"{APP_ID}.desktop"
    assert (LINUX / launchable.text).is_file()
    assert root.findtext("provides/binary") == gui_script()
    for tag in ("name", "summary"):
        langs = {element.get(XML_LANG) for element in root.findall(tag)}
        assert langs == {None, "zh-CN"}, tag
    assert root.find("description") is not None
    assert root.find("content_rating") is not None
    assert root.find("url[@type='homepage']") is not None
    versions = [release.get("version") for release in root.findall("releases/release")]
    assert qqdesk.__version__ in versions


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream absent")
def test_metainfo_validates() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_message_sound_is_a_short_soft_chime() -> None:
    path = REPO / "resources" / "sounds" / "message.wav"
    assert path.stat().st_size < 40 * 1024
    with wave.open(str(path)) as sound:
        assert sound.getnchannels() == 1
        assert sound.getsampwidth() == 2
        assert sound.getframerate() == 22050
        frames = sound.getnframes()
        assert 0.2 < frames / sound.getframerate() < 0.5
        data = sound.readframes(frames)
    samples = memoryview(data).cast("h")
    peak = max(abs(s) for s in samples)
    assert 0.2 * 32767 < peak < 0.8 * 32767  # audible, never clipping
    assert abs(samples[0]) < 200
    assert abs(samples[-1]) < 200  # starts and ends in silence: no click
