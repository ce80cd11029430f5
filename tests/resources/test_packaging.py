"""The PyInstaller specs and what they share stay in step with the app."""

from __future__ import annotations

import ast
import fnmatch
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import qqdesk

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
SPECS = [PACKAGING / os_name / "qqdesk.spec" for os_name in ("linux", "windows", "macos")]
#: A built one-folder bundle to inspect (packaging/linux/ci-check.sh sets it after building).
BUNDLE = os.environ.get("QQDESK_BUNDLE")
needs_bundle = pytest.mark.skipif(
    not BUNDLE, reason="set QQDESK_BUNDLE=dist/qqdesk after a build (ci-check.sh does)"
)


def load_bundle() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qqdesk_bundle", PACKAGING / "qqdesk_bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["qqdesk_bundle"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules["qqdesk_bundle"]
    return module


def test_packaging_is_not_a_package() -> None:
    """A packaging/__init__.py would shadow the `packaging` library pip and PyInstaller use."""
    assert not (PACKAGING / "__init__.py").exists()


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name)
def test_spec_is_python_that_builds_one_folder(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    ast.parse(text, filename=str(spec))
    assert "exclude_binaries=True" in text  # one-folder: binaries go to COLLECT
    assert "COLLECT(" in text
    assert "excludes=bundle.EXCLUDES" in text
    assert "upx=False" in text


def test_bundle_version_is_the_package_version() -> None:
    assert load_bundle().version() == qqdesk.__version__


def test_windows_version_resource_says_the_package_version() -> None:
    text = (PACKAGING / "windows" / "version_info.txt").read_text(encoding="utf-8")
    version = qqdesk.__version__
    numbers = tuple(int(n) for n in version.split(".")) + (0,) * (4 - len(version.split(".")))
    for key in ("filevers", "prodvers"):
        found = re.search(rf"{key}=\(([^)]*)\)", text)
        assert found is not None
        assert tuple(int(n) for n in found.group(1).split(",")) == numbers
    assert text.count(f"'FileVersion', '{version}'") == 2
    assert text.count(f"'ProductVersion', '{version}'") == 2


def test_macos_bundle_declares_what_finder_needs() -> None:
    text = (PACKAGING / "macos" / "qqdesk.spec").read_text(encoding="utf-8")
    for key in (
        "CFBundleShortVersionString",
        "NSHighResolutionCapable",
        "LSMinimumSystemVersion",
        "bundle_identifier=bundle.APP_ID",
        "qqdesk.icns",
    ):
        assert key in text
    assert load_bundle().APP_ID == "io.github.qqdesk.Qqdesk"


def test_bundle_carries_the_resources_and_translations() -> None:
    pairs = {Path(src).relative_to(REPO).as_posix(): dest for src, dest in load_bundle().datas()}
    assert pairs["resources/faces/1.svg"] == "resources/faces"
    assert pairs["resources/emoticons/14.svg"] == "resources/emoticons"
    assert pairs["resources/emoticons/unknown.svg"] == "resources/emoticons"
    assert pairs["resources/icons/qqdesk-256.png"] == "resources/icons"
    assert pairs["resources/linux/io.github.qqdesk.Qqdesk.desktop"] == "resources/linux"
    assert pairs["resources/sounds/message.wav"] == "resources/sounds"
    assert not [src for src in pairs if src.endswith(".py")]
    for qm in (REPO / "qqdesk").rglob("*.qm"):
        assert pairs[qm.relative_to(REPO).as_posix()] == qm.parent.relative_to(REPO).as_posix()


def test_linux_bundle_ships_the_colour_emoji_font(tmp_path: Path) -> None:
    bundle = load_bundle()
    font = tmp_path / "NotoColorEmoji.ttf"
    font.write_bytes(b"font")
    assert bundle.emoji_font_datas(font) == [(str(font), "resources/fonts")]
    assert "emoji_font_datas()" in (PACKAGING / "linux" / "qqdesk.spec").read_text()
    with pytest.raises(SystemExit, match="fonts-noto-color-emoji"):
        bundle.emoji_font_datas(tmp_path / "missing.ttf")


def test_excludes_leave_the_modules_the_app_uses() -> None:
    excludes = set(load_bundle().EXCLUDES)
    assert {"PySide6.QtWebEngineCore", "PySide6.QtQml", "PySide6.Qt3DCore", "PyQt5"} <= excludes
    used = set()
    for source in (REPO / "qqdesk").rglob("*.py"):
        used.update(re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
    # QtMultimedia is optional in the app (not in PySide6-Essentials) and left out on purpose.
    used.discard("QtMultimedia")
    assert not {f"PySide6.{name}" for name in used} & excludes


def test_launcher_starts_the_desktop_app() -> None:
    tree = ast.parse((PACKAGING / "launcher.py").read_text(encoding="utf-8"))
    imports = [node for node in tree.body if isinstance(node, ast.ImportFrom)]
    assert [(node.module, [a.name for a in node.names]) for node in imports] == [
        ("qqdesk.ui.app", ["main"])
    ]


def test_ci_builds_and_checks_the_linux_bundle() -> None:
    script = PACKAGING / "linux" / "ci-check.sh"
    assert "set -euo pipefail" in script.read_text(encoding="utf-8")
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True)
    assert "packaging/linux/ci-check.sh" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


# -- a built bundle (only with QQDESK_BUNDLE) ------------------------------------------------


@needs_bundle
def test_built_bundle_carries_resources_translations_and_qt_plugins() -> None:
    bundle = load_bundle()
    internal = Path(str(BUNDLE)) / "_internal"
    missing = [
        f"{dest}/{Path(src).name}"
        for src, dest in bundle.datas()
        if not (internal / dest / Path(src).name).is_file()
    ]
    assert not missing
    assert len(list((internal / "resources" / "faces").glob("*.svg"))) == 100
    assert (internal / "resources" / "fonts" / "NotoColorEmoji.ttf").is_file()
    assert (internal / "install.sh").is_file()
    qt = internal / "PySide6" / "Qt"
    for plugin in (
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "platforms/libqoffscreen.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (qt / "plugins" / plugin).is_file(), plugin
    assert sorted(p.name for p in (qt / "translations").glob("*.qm")) == sorted(
        bundle.QT_TRANSLATIONS
    )


@needs_bundle
def test_built_bundle_leaves_out_unused_qt_and_other_bindings() -> None:
    bundle = load_bundle()
    internal = Path(str(BUNDLE)) / "_internal"
    files = [p.relative_to(internal).as_posix() for p in internal.rglob("*") if p.is_file()]
    modules = {Path(f).name.split(".")[0] for f in files if f.startswith("PySide6/Qt")}
    qt_libs = {
        Path(f).name.split(".")[0].removeprefix("libQt6")
        for f in files
        if Path(f).name.startswith("libQt6")
    }
    excluded_qt = {name.removeprefix("PySide6.") for name in bundle.QT_EXCLUDES}
    assert not modules & excluded_qt
    # libQt6OpenGL comes in as a dependency of the xcb GL integration; the rest must not.
    assert not qt_libs & {name.removeprefix("Qt") for name in excluded_qt} - {"OpenGL"}
    other = set(bundle.OTHER_EXCLUDES)
    assert not [f for f in files if f.split("/")[0].split(".")[0] in other]
    assert not [f for f in files if Path(f).name.split(".")[0] in other]
    assert not [f for f in files if fnmatch.fnmatch(Path(f).name, "libt[ck]*[0-9].so*")]
    assert not [f for f in files if any(fnmatch.fnmatch(f, p) for p in bundle.EMBEDDED_ONLY)]
    # The pure-Python modules travel in the PYZ archive inside the executable.
    readers = pytest.importorskip("PyInstaller.archive.readers")
    executable = readers.CArchiveReader(str(Path(str(BUNDLE)) / bundle.APP_NAME))
    pyz = executable.open_embedded_archive("PYZ.pyz")
    assert not [name for name in pyz.toc if name.split(".")[0] in other]
    assert not [name for name in pyz.toc if name in bundle.QT_EXCLUDES]
