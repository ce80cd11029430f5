"""qqdesk.resources finds every file the app asks for, in a checkout and in a bundle."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qqdesk import resources
from qqdesk.core import FACE_NAMES
from qqdesk.protocol.classic import Status

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_search() -> Iterator[None]:
    """Each test searches anew, and leaves no cached folder behind for the next."""
    resources.resources_dir.cache_clear()
    yield
    resources.resources_dir.cache_clear()


def test_source_checkout_uses_the_top_level_folder() -> None:
    assert resources.resources_dir() == REPO / "resources"


def test_every_face_id_the_server_hands_out_has_a_picture() -> None:
    # One test, not 300: the ids are cheap to check and the report names any that fail.
    missing = [face_id for face_id in range(300) if not resources.face_path(face_id).is_file()]
    assert not missing
    assert all(resources.face_path(f).name == f"{f // 3 + 1}.svg" for f in range(300))


@pytest.mark.parametrize(
    ("face_id", "number"),
    [(0, 1), (1, 1), (2, 1), (3, 2), (270, 91), (297, 100), (299, 100), (-1, 1), (300, 100)],
)
def test_face_number_is_fc_over_3_plus_1_clamped(face_id: int, number: int) -> None:
    assert resources.face_number(face_id) == number


def test_every_picture_is_reachable_and_there_are_no_others() -> None:
    numbers = {resources.face_number(face_id) for face_id in range(300)}
    assert numbers == set(range(1, resources.FACE_COUNT + 1))
    on_disk = {int(p.stem) for p in (REPO / "resources" / "faces").glob("*.svg")}
    assert on_disk == numbers


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_its_own_badge(status: Status) -> None:
    path = resources.status_badge_path(status)
    assert path.is_file()
    assert path.stem == status.name.lower()


def test_unknown_status_shows_as_offline() -> None:
    assert resources.status_badge_path(99).stem == "offline"


@pytest.mark.parametrize("size", [None, 1, 16, 20, 24, 32, 48, 64, 100, 128, 256, 512, 4096])
def test_app_icon_at_any_size_is_a_file_at_least_that_big(size: int | None) -> None:
    path = resources.app_icon_path(size)
    assert path.is_file()
    if size is not None:
        stored = int(path.stem.split("-")[1])
        assert stored >= min(size, max(resources.ICON_SIZES))


@pytest.mark.parametrize(
    ("platform", "suffix"), [("win32", ".ico"), ("darwin", ".icns"), ("linux", ".png")]
)
def test_platform_icon_files(platform: str, suffix: str) -> None:
    path = resources.app_icon_file(platform)
    assert path.is_file()
    assert path.suffix == suffix


def test_tray_icons_and_sound_exist() -> None:
    assert resources.tray_icon_path().is_file()
    assert resources.tray_icon_path(unread=True).is_file()
    assert resources.sound_path().is_file()
    assert resources.sound_path("message.wav") == resources.sound_path("message")


def test_sound_names_cannot_leave_the_sounds_folder() -> None:
    with pytest.raises(ValueError):
        resources.sound_path("../icons/qqdesk")


def _fake_tree(root: Path) -> Path:
    (root / "icons").mkdir(parents=True)
    (root / "icons" / "qqdesk.svg").write_text("<svg/>", encoding="utf-8")
    return root


def test_pyinstaller_bundle_is_searched_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_tree(tmp_path / "resources")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"
    assert resources.face_path(0) == tmp_path / "resources" / "faces" / "1.svg"


def test_environment_variable_overrides_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(resources.ENV_VAR, str(_fake_tree(tmp_path / "elsewhere")))
    assert resources.resources_dir() == tmp_path / "elsewhere"


def test_a_folder_without_the_marker_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "faces").mkdir()
    monkeypatch.setenv(resources.ENV_VAR, str(tmp_path))
    assert resources.resources_dir() == REPO / "resources"


def test_missing_resources_say_where_they_were_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resources, "candidate_dirs", lambda: [tmp_path])
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        resources.resources_dir()


def test_loader_imports_no_qt() -> None:
    """It sits below the UI layer: importing it must not pull in PySide6."""
    code = (
        "import sys, qqdesk.resources as r; r.face_path(0); "
        "sys.exit(any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_every_face_of_the_table_has_its_emoticon() -> None:
    missing = [f for f in FACE_NAMES if not resources.emoticon_path(f).is_file()]
    assert not missing
    assert resources.emoticon_path(14) == REPO / "resources" / "emoticons" / "14.svg"


@pytest.mark.parametrize("face_id", [999, -1, 15])
def test_unknown_face_shows_the_unknown_picture_and_is_logged_once(
    face_id: int, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resources, "_unknown_emoticons", set())
    with caplog.at_level(logging.INFO, logger="qqdesk.resources"):
        first = resources.emoticon_path(face_id)
        again = resources.emoticon_path(face_id)
    assert first == again == REPO / "resources" / "emoticons" / "unknown.svg"
    assert first.is_file()
    assert [r.getMessage() for r in caplog.records] == [
        f"no picture for face id {face_id}; showing unknown.svg"
    ]
