"""Draws the 100 face pictures, ``faces/1.svg`` .. ``faces/100.svg``, deterministically.

Run ``python resources/build_faces.py`` after changing the drawing code, and commit
the SVGs it writes. Each face is a character (a person, an animal, a robot or a
friendly monster) on a pastel tile; the character cycles with the picture number
and a random generator seeded by that number picks colours, eyes, mouth and extras,
so the set is varied and the same on every machine and every Python.

The server hands out face ids FC 0..299; picture FC/3+1 shows them (see
``faces/README.md`` and :func:`qqdesk.resources.face_path`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: How many pictures the set has (FC 0..299 -> pictures 1..100).
COUNT = 100

FACES_DIR = Path(__file__).resolve().parent / "faces"

#: Pastel tiles; consecutive pictures step through them seven at a time.
BACKGROUNDS = (
    "#ffe1dc",
    "#ffedcc",
    "#fff4b8",
    "#e0f4cf",
    "#cfeee8",
    "#d7e8ff",
    "#e4defd",
    "#f6d9f1",
    "#e6ecf1",
    "#ffdcc0",
    "#d3eefc",
    "#eaf3c2",
)

INK = "#2d2a32"
LIGHT_INK = "#fbf6ea"
BLUSH = "#ff8fa3"
PINK = "#f7a1b4"
WHITE = "#ffffff"
ACCENTS = ("#e8505b", "#3d8bfd", "#7a5cf0", "#17a589", "#f39c12", "#e84393")


def num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros, to keep files small."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def luminance(colour: str) -> float:
    """Perceived brightness of ``colour`` (#rrggbb), 0..255."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def is_dark(colour: str) -> bool:
    """True when ``colour`` is dark enough to need light features."""
    return luminance(colour) < 75


def shade(colour: str, factor: float) -> str:
    """``colour`` darkened (factor < 1) or lightened towards white (factor > 1)."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    if factor <= 1:
        mixed = [round(c * factor) for c in channels]
    else:
        mixed = [round(c + (255 - c) * (factor - 1)) for c in channels]
    return "#" + "".join(f"{max(0, min(255, c)):02x}" for c in mixed)


@dataclass
class Face:
    """The choices for one picture, shared by the drawing helpers."""

    rng: random.Random
    parts: list[str]

    def add(self, element: str) -> None:
        self.parts.append(element)

    def circle(self, x: float, y: float, r: float, fill: str, extra: str = "") -> None:
        self.add(f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="{fill}"{extra}/>')

    def ellipse(
        self, x: float, y: float, rx: float, ry: float, fill: str, angle: float = 0
    ) -> None:
        turn = f' transform="rotate({num(angle)} {num(x)} {num(y)})"' if angle else ""
        self.add(
            f'<ellipse cx="{num(x)}" cy="{num(y)}" rx="{num(rx)}" ry="{num(ry)}"'
            f' fill="{fill}"{turn}/>'
        )

    def path(self, d: str, fill: str) -> None:
        self.add(f'<path d="{d}" fill="{fill}"/>')

    def stroke(self, d: str, colour: str, width: float, opacity: float = 1) -> None:
        alpha = f' stroke-opacity="{num(opacity)}"' if opacity < 1 else ""
        self.add(
            f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{num(width)}"'
            f' stroke-linecap="round" stroke-linejoin="round"{alpha}/>'
        )


# -- features shared by every character ----------------------------------------------


def eye(face: Face, x: float, y: float, size: float, style: str, ink: str) -> None:
    """One eye at (x, y); ``size`` is about its radius."""
    if style == "dot":
        face.circle(x, y, size, ink)
        face.circle(x - size * 0.35, y - size * 0.35, size * 0.38, WHITE)
    elif style == "oval":
        face.ellipse(x, y, size * 0.8, size * 1.25, ink)
        face.circle(x - size * 0.25, y - size * 0.5, size * 0.32, WHITE)
    elif style == "happy":
        face.stroke(
            f"M{num(x - size)} {num(y + size * 0.4)} Q{num(x)} {num(y - size * 1.3)}"
            f" {num(x + size)} {num(y + size * 0.4)}",
            ink,
            size * 0.7,
        )
    elif style == "calm":
        face.stroke(
            f"M{num(x - size)} {num(y - size * 0.2)} Q{num(x)} {num(y + size * 1.2)}"
            f" {num(x + size)} {num(y - size * 0.2)}",
            ink,
            size * 0.7,
        )
    else:  # "big": a white eyeball with a pupil looking slightly up
        face.circle(x, y, size * 1.6, WHITE)
        face.circle(x + size * 0.2, y - size * 0.15, size * 0.95, INK)
        face.circle(x - size * 0.1, y - size * 0.5, size * 0.33, WHITE)


def eyes(face: Face, left: float, right: float, y: float, size: float, ink: str) -> None:
    """A pair of eyes in a style chosen for this face (a wink now and then)."""
    style = face.rng.choice(("dot", "dot", "oval", "happy", "calm", "big", "wink"))
    if style == "wink":
        eye(face, left, y, size, "dot", ink)
        eye(face, right, y, size, "happy", ink)
    else:
        eye(face, left, y, size, style, ink)
        eye(face, right, y, size, style, ink)


def mouth(face: Face, x: float, y: float, width: float, ink: str, styles: Sequence[str]) -> None:
    """A mouth centred on (x, y), ``width`` from corner to centre."""
    style = face.rng.choice(styles)
    w = width
    if style == "smile":
        face.stroke(
            f"M{num(x - w)} {num(y)} Q{num(x)} {num(y + w)} {num(x + w)} {num(y)}", ink, 1.8
        )
    elif style == "open":
        face.path(
            f"M{num(x - w)} {num(y)} Q{num(x)} {num(y + w * 1.9)} {num(x + w)} {num(y)} Z",
            "#8c2f3c",
        )
        face.ellipse(x, y + w * 0.62, w * 0.5, w * 0.26, PINK)
    elif style == "o":
        face.ellipse(x, y + w * 0.3, w * 0.38, w * 0.48, "#8c2f3c")
    elif style == "cat":
        face.stroke(
            f"M{num(x - w)} {num(y)} Q{num(x - w / 2)} {num(y + w * 0.9)} {num(x)} {num(y)}"
            f" Q{num(x + w / 2)} {num(y + w * 0.9)} {num(x + w)} {num(y)}",
            ink,
            1.6,
        )
    elif style == "grin":
        face.add(
            f'<path d="M{num(x - w)} {num(y)} Q{num(x)} {num(y + w * 1.5)} {num(x + w)} {num(y)} Z"'
            f' fill="{WHITE}" stroke="{ink}" stroke-width="1.5" stroke-linejoin="round"/>'
        )
    else:  # "tongue": a smile sticking its tongue out
        face.ellipse(x + w * 0.3, y + w * 0.55, w * 0.38, w * 0.5, PINK)
        face.stroke(
            f"M{num(x - w)} {num(y)} Q{num(x)} {num(y + w)} {num(x + w)} {num(y)}", ink, 1.8
        )


def cheeks(face: Face, left: float, right: float, y: float, r: float = 3.2) -> None:
    if face.rng.random() < 0.75:
        face.add(
            f'<g fill="{BLUSH}" opacity="0.55"><ellipse cx="{num(left)}" cy="{num(y)}"'
            f' rx="{num(r)}" ry="{num(r * 0.65)}"/><ellipse cx="{num(right)}" cy="{num(y)}"'
            f' rx="{num(r)}" ry="{num(r * 0.65)}"/></g>'
        )


def extra(face: Face, left: float, right: float, eye_y: float, top: float) -> None:
    """Now and then: glasses, a bow or a flower."""
    roll = face.rng.random()
    if roll < 0.1:
        frame = face.rng.choice((INK, "#c0392b", "#2e86de"))
        face.add(
            f'<g fill="none" stroke="{frame}" stroke-width="1.5"><circle cx="{num(left)}"'
            f' cy="{num(eye_y)}" r="5.2"/><circle cx="{num(right)}" cy="{num(eye_y)}" r="5.2"/>'
            f'<path d="M{num(left + 5.2)} {num(eye_y)} H{num(right - 5.2)}"/></g>'
        )
    elif roll < 0.2:
        x, y, colour = right + 5, top + 3, face.rng.choice(ACCENTS)
        face.path(
            f"M{num(x)} {num(y)} L{num(x - 6)} {num(y - 4)} V{num(y + 4)} Z"
            f" M{num(x)} {num(y)} L{num(x + 6)} {num(y - 4)} V{num(y + 4)} Z",
            colour,
        )
        face.circle(x, y, 1.8, shade(colour, 0.8))
    elif roll < 0.28:
        x, y = left - 5, top + 4
        petals = "".join(
            f'<circle cx="{num(x + dx)}" cy="{num(y + dy)}" r="2.3"/>'
            for dx, dy in ((0, -2.6), (2.5, -0.8), (1.5, 2.1), (-1.5, 2.1), (-2.5, -0.8))
        )
        face.add(f'<g fill="{face.rng.choice(("#ffffff", "#ffd1dc", "#fff3a6"))}">{petals}</g>')
        face.circle(x, y, 1.6, "#f6b93b")


# -- the characters ---------------------------------------------------------------------


def person(face: Face) -> None:
    rng = face.rng
    skin = rng.choice(("#fbd9bd", "#f1c29c", "#dca882", "#b07a52", "#7d5134"))
    # Hair that melts into the skin reads as a blob at 16 px, so keep them apart.
    hairs = ("#2e2a28", "#4a3222", "#7a4a26", "#b5651d", "#e2bd5a", "#c8553d", "#6c5ce7")
    hair = rng.choice([h for h in hairs if abs(luminance(h) - luminance(skin)) > 45])
    start = len(face.parts)
    style = rng.choice(("short", "bob", "bun", "spiky", "long", "cap", "beanie"))
    if style in ("bob", "long"):
        bottom = 60 if style == "long" else 50
        face.add(f'<rect x="13" y="17" width="38" height="{bottom - 17}" rx="15" fill="{hair}"/>')
    face.circle(16.5, 38, 3, skin)
    face.circle(47.5, 38, 3, skin)
    face.circle(32, 37, 16, skin)
    if style in ("short", "bun", "bob", "long"):
        face.path(
            "M15.6 36 C14.5 21 23 16.5 32 16.5 C41 16.5 49.5 21 48.4 36"
            " C45 29 40 24.5 31 26 C26 27 19 30 15.6 36 Z",
            hair,
        )
        if style == "bun":
            face.circle(32, 13.5, 6, hair)
    elif style == "spiky":
        face.path(
            "M15.8 35 L14 22 L20 24 L21 14 L27 20 L32 11 L37 20 L43 14 L44 24 L50 22"
            " L48.2 35 C44 27 38 25 32 25 C26 25 20 27 15.8 35 Z",
            hair,
        )
    elif style == "cap":
        cap = rng.choice(ACCENTS)
        face.path("M15.5 32 C15.5 19 23 15.5 32 15.5 C41 15.5 48.5 19 48.5 32 Z", cap)
        face.path("M30 30 H55 Q56 33 53 34 H30 Z", shade(cap, 0.78))
    else:  # beanie with a pompom
        hat = rng.choice(ACCENTS)
        face.path("M15.5 31 C15.5 18 23 15 32 15 C41 15 48.5 18 48.5 31 Z", hat)
        face.add(f'<rect x="14.5" y="28" width="35" height="5" rx="2.5" fill="{shade(hat, 0.8)}"/>')
        face.circle(32, 13.5, 4, shade(hat, 1.5))
    ink = INK
    eyes(face, 26, 38, 39, 1.8, ink)
    cheeks(face, 22.5, 41.5, 44, 2.8)
    mouth(face, 32, 45, 3.6, ink, ("smile", "smile", "open", "o", "grin", "tongue"))
    if style not in ("cap", "beanie"):
        extra(face, 26, 38, 39, 20)
    # People are drawn smaller than the animals' round heads; grow them to match.
    face.parts[start:] = [
        '<g transform="matrix(1.12 0 0 1.12 -3.8 -5)">',
        *face.parts[start:],
        "</g>",
    ]


def cat(face: Face) -> None:
    rng = face.rng
    fur = rng.choice(("#f4a259", "#8d99ae", "#3d3b46", "#f6efe4", "#c8a27a"))
    ink = LIGHT_INK if is_dark(fur) else INK
    face.path("M13 31 L16 8 L30 19 Z M51 31 L48 8 L34 19 Z", fur)
    face.path("M17 24 L18.5 13 L26 19 Z M47 24 L45.5 13 L38 19 Z", PINK)
    face.ellipse(32, 36, 20, 18, fur)
    if rng.random() < 0.5:
        face.stroke("M32 19 V24 M26 20 L27.5 24.5 M38 20 L36.5 24.5", shade(fur, 0.72), 2)
    if is_dark(fur):
        for x in (24, 40):
            face.ellipse(x, 34, 3.2, 3.6, rng.choice(("#c6e377", "#f7d154")))
            face.ellipse(x, 34, 1.1, 2.8, INK)
    else:
        eyes(face, 24, 40, 34, 2.3, ink)
    face.path("M30.3 39.5 H33.7 L32 41.6 Z", PINK)
    mouth(face, 32, 42, 3.2, ink, ("cat", "cat", "open", "tongue"))
    face.stroke("M12 40 L21 41 M12.5 45 L21 43.5 M52 40 L43 41 M51.5 45 L43 43.5", ink, 0.9, 0.5)
    cheeks(face, 21, 43, 42)
    extra(face, 24, 40, 34, 18)


def bear(face: Face) -> None:
    rng = face.rng
    fur = rng.choice(("#a47551", "#7a5235", "#d9b38c", "#f3f1ec"))
    ink = LIGHT_INK if is_dark(fur) else INK
    inner = shade(fur, 1.35) if fur != "#f3f1ec" else "#e4ddd2"
    face.circle(16, 20, 7.5, fur)
    face.circle(48, 20, 7.5, fur)
    face.circle(16, 20, 4, inner)
    face.circle(48, 20, 4, inner)
    face.circle(32, 37, 20, fur)
    face.ellipse(32, 44, 9.5, 7, inner)
    face.ellipse(32, 40.5, 3.2, 2.3, INK)
    eyes(face, 23.5, 40.5, 33, 2.3, ink)
    mouth(face, 32, 44, 3, INK, ("smile", "cat", "open", "tongue"))
    cheeks(face, 19, 45, 41)
    extra(face, 23.5, 40.5, 33, 17)


def rabbit(face: Face) -> None:
    rng = face.rng
    fur = rng.choice(("#f7f3ee", "#d8c3a5", "#b9b1c9", "#f2c6cf", "#9b8576"))
    ink = LIGHT_INK if is_dark(fur) else INK
    floppy = rng.random() < 0.35
    face.ellipse(24, 16, 5, 13, fur, -10)
    face.ellipse(24, 16, 2.4, 9, PINK, -10)
    if floppy:
        face.ellipse(45, 22, 5, 12, fur, 55)
        face.ellipse(45, 22, 2.4, 8, PINK, 55)
    else:
        face.ellipse(40, 16, 5, 13, fur, 10)
        face.ellipse(40, 16, 2.4, 9, PINK, 10)
    face.circle(32, 40, 17, fur)
    eyes(face, 25, 39, 38, 2.1, ink)
    face.ellipse(32, 43, 2, 1.5, PINK)
    face.add('<rect x="30.6" y="46" width="2.8" height="3" rx="0.6" fill="#fff"/>')
    face.stroke("M28.5 45.5 Q30.2 47.2 32 45.5 Q33.8 47.2 35.5 45.5", ink, 1.3)
    cheeks(face, 22, 42, 45)
    extra(face, 25, 39, 38, 25)


def fox(face: Face) -> None:
    rng = face.rng
    fur = rng.choice(("#f08a3e", "#e56b2a", "#d9a15b", "#b8b3ad"))
    face.path("M12 32 L15 7 L30 19 Z M52 32 L49 7 L34 19 Z", fur)
    face.path("M16 25 L17.5 12 L26 19 Z M48 25 L46.5 12 L38 19 Z", "#5a3a2a")
    face.path("M11 30 Q13 18 32 18 Q51 18 53 30 Q53 42 32 55 Q11 42 11 30 Z", fur)
    face.path("M12 33 Q22 35 32 52 Q42 35 52 33 Q50 44 32 55 Q14 44 12 33 Z", "#fff8ef")
    eyes(face, 24, 40, 32, 2.2, INK)
    face.circle(32, 47.5, 2.4, INK)
    mouth(face, 32, 50, 2.2, INK, ("smile", "cat"))
    cheeks(face, 19, 45, 38, 2.6)
    extra(face, 24, 40, 32, 18)


def owl(face: Face) -> None:
    rng = face.rng
    feathers = rng.choice(("#8c6a4f", "#6b7fa8", "#a88bc9", "#5e9c8f", "#c98b5a"))
    face.path("M14 27 L15 11 L25 20 Z M50 27 L49 11 L39 20 Z", shade(feathers, 0.8))
    face.ellipse(32, 38, 20, 20, feathers)
    face.ellipse(32, 50, 11, 6, shade(feathers, 1.35))
    face.stroke("M26 49 q2 2 4 0 q2 2 4 0 q2 2 4 0", shade(feathers, 0.8), 1.1)
    ring = shade(feathers, 1.55)
    for x in (24, 40):
        face.circle(x, 34, 8, ring)
    style = rng.choice(("big", "big", "sleepy", "happy"))
    for x in (24, 40):
        if style == "happy":
            eye(face, x, 35, 2.6, "happy", INK)
        else:
            face.circle(x, 34, 4.6, WHITE)
            face.circle(x + 0.4, 34.4, 2.6, INK)
            face.circle(x - 0.5, 33.3, 0.9, WHITE)
            if style == "sleepy":
                face.path(f"M{num(x - 4.8)} 34 A4.8 4.8 0 0 1 {num(x + 4.8)} 34 Z", ring)
    face.path("M29.5 40 H34.5 L32 44.5 Z", "#f5a623")
    extra(face, 24, 40, 34, 20)


def frog(face: Face) -> None:
    rng = face.rng
    skin = rng.choice(("#7cc36b", "#4fb286", "#a3cf5a", "#5aa9a0"))
    face.circle(20, 27, 7.5, skin)
    face.circle(44, 27, 7.5, skin)
    face.ellipse(32, 41, 23, 15, skin)
    face.ellipse(32, 47, 14, 6, shade(skin, 1.4))
    eyes(face, 20, 44, 27, 2.8, INK)
    face.circle(29.5, 37.5, 0.9, shade(skin, 0.6))
    face.circle(34.5, 37.5, 0.9, shade(skin, 0.6))
    mouth(face, 32, 42, 9, INK, ("smile", "smile", "open", "tongue"))
    cheeks(face, 15, 49, 41, 3.5)


def panda(face: Face) -> None:
    dark = "#2f2d38"
    face.circle(16, 20, 7.5, dark)
    face.circle(48, 20, 7.5, dark)
    face.circle(32, 37, 20, "#fbfbf8")
    face.ellipse(24, 35, 5.2, 7, dark, 35)
    face.ellipse(40, 35, 5.2, 7, dark, -35)
    eyes(face, 24.5, 39.5, 34.5, 1.8, LIGHT_INK)
    face.ellipse(32, 42, 2.8, 2, dark)
    mouth(face, 32, 45, 3, dark, ("smile", "cat", "open", "tongue"))
    cheeks(face, 19, 45, 43)
    extra(face, 24.5, 39.5, 34.5, 17)


def dog(face: Face) -> None:
    rng = face.rng
    fur = rng.choice(("#d9a066", "#b07d4f", "#f3e2c7", "#8a6e5a", "#e8c27a"))
    ears = shade(fur, 0.7)
    face.ellipse(14, 33, 6, 12, ears, 18)
    face.ellipse(50, 33, 6, 12, ears, -18)
    face.circle(32, 36, 18, fur)
    if rng.random() < 0.4:
        face.circle(40, 31, 6, ears)
    face.ellipse(32, 44, 9, 6.5, shade(fur, 1.45))
    face.ellipse(32, 40.5, 3.4, 2.5, INK)
    eyes(face, 24, 40, 32, 2.2, INK)
    mouth(face, 32, 44, 3.2, INK, ("tongue", "tongue", "smile", "open", "cat"))
    cheeks(face, 19, 45, 41)
    extra(face, 24, 40, 32, 19)


def robot(face: Face) -> None:
    rng = face.rng
    metal = rng.choice(("#9fb4c7", "#b8c1cc", "#7fc8c0", "#f2b84b", "#d59ad6"))
    glow = rng.choice(("#7ef0d0", "#7fd3ff", "#ffe066", "#ff9ecb"))
    face.stroke("M32 11 V18", shade(metal, 0.6), 2)
    face.circle(32, 9.5, 3, rng.choice(ACCENTS))
    face.add(f'<rect x="9" y="29" width="5" height="10" rx="2" fill="{shade(metal, 0.7)}"/>')
    face.add(f'<rect x="50" y="29" width="5" height="10" rx="2" fill="{shade(metal, 0.7)}"/>')
    face.add(f'<rect x="13" y="18" width="38" height="34" rx="9" fill="{metal}"/>')
    face.add('<rect x="18" y="24" width="28" height="17" rx="5" fill="#2e3440"/>')
    style = rng.choice(("dot", "happy", "bar", "big"))
    for x in (26, 38):
        if style == "bar":
            face.add(
                f'<rect x="{num(x - 3)}" y="30.5" width="6" height="2.6" rx="1.3" fill="{glow}"/>'
            )
        elif style == "big":
            face.circle(x, 32, 3.6, glow)
            face.circle(x, 32, 1.4, "#2e3440")
        else:
            eye(face, x, 32.5, 2.2, style, glow)
    if rng.random() < 0.5:
        face.stroke("M28 37 Q32 39.5 36 37", glow, 1.4)
    face.add(
        f'<g fill="{shade(metal, 0.7)}"><rect x="24" y="45" width="3" height="4" rx="1"/>'
        '<rect x="30.5" y="45" width="3" height="4" rx="1"/>'
        '<rect x="37" y="45" width="3" height="4" rx="1"/></g>'
    )


def chick(face: Face) -> None:
    rng = face.rng
    down = rng.choice(("#ffd34d", "#ffe07a", "#ffc94a"))
    face.path("M30 19 Q27 11 31 9 Q31 14 32.5 18 Z M33 19 Q36 12 40 12 Q36 15 35 19.5 Z", down)
    face.ellipse(12.5, 43, 4, 7, shade(down, 0.88), -30)
    face.ellipse(51.5, 43, 4, 7, shade(down, 0.88), 30)
    face.circle(32, 38, 19, down)
    if rng.random() < 0.35:  # still wearing half its shell
        face.path(
            "M13.5 33 A19 19 0 0 1 50.5 33 L46 29 L41 33 L36 28 L32 33 L28 28 L23 33 L18 29 Z",
            "#fffdf6",
        )
    eyes(face, 25, 39, 35, 2.1, INK)
    face.path("M28.5 40.5 L32 38 L35.5 40.5 L32 44.5 Z", "#f58b2a")
    face.stroke("M28.5 40.5 H35.5", shade("#f58b2a", 0.8), 0.8)
    cheeks(face, 20.5, 43.5, 42)


def monster(face: Face) -> None:
    rng = face.rng
    body = rng.choice(("#8e7cc3", "#5fb3e6", "#f47c7c", "#6cc4a1", "#f3a953"))
    horns = rng.random() < 0.6
    if horns:
        face.path("M19 21 L16 9 L26 17 Z M45 21 L48 9 L38 17 Z", shade(body, 1.55))
    face.path(
        "M12 57 V35 Q12 14 32 14 Q52 14 52 35 V57 Q47 52 42 57 Q37 52 32 57"
        " Q27 52 22 57 Q17 52 12 57 Z",
        body,
    )
    if rng.random() < 0.5:
        face.circle(22, 47, 2, shade(body, 0.85))
        face.circle(44, 24, 2.6, shade(body, 0.85))
        face.circle(41, 50, 1.5, shade(body, 0.85))
    count = rng.choice((1, 2, 2, 3))
    if count == 1:
        face.circle(32, 31, 8, WHITE)
        face.circle(33, 31.5, 4.4, INK)
        face.circle(31, 29.5, 1.5, WHITE)
    else:
        spots = (24, 40) if count == 2 else (21, 32, 43)
        for x in spots:
            y = 29 if count == 3 and x == 32 else 32
            face.circle(x, y, 4.4, WHITE)
            face.circle(x + 0.5, y + 0.3, 2.3, INK)
            face.circle(x - 0.5, y - 0.8, 0.8, WHITE)
    face.path("M23 41 Q32 50 41 41 Z", "#5b2333")
    face.path("M26 42 L28 45.5 L30 42.5 Z", WHITE)
    if rng.random() < 0.5:
        face.path("M38 42 L36 45.5 L34 42.5 Z", WHITE)


#: The character of picture n is KINDS[(n - 1) % len(KINDS)]; people come twice a round.
KINDS: tuple[Callable[[Face], None], ...] = (
    person,
    cat,
    bear,
    rabbit,
    fox,
    person,
    owl,
    frog,
    panda,
    dog,
    robot,
    chick,
    monster,
)


def draw(number: int) -> str:
    """The SVG text of picture ``number`` (1..COUNT)."""
    face = Face(random.Random(f"qqdesk-face-{number}"), [])
    KINDS[(number - 1) % len(KINDS)](face)
    background = BACKGROUNDS[(number * 7) % len(BACKGROUNDS)]
    body = "".join(face.parts)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 64 64">'
        f"<title>face {number}</title>"
        f'<rect width="64" height="64" rx="14" fill="{background}"/>{body}</svg>\n'
    )


def main() -> None:
    FACES_DIR.mkdir(exist_ok=True)
    for number in range(1, COUNT + 1):
        (FACES_DIR / f"{number}.svg").write_text(draw(number), encoding="utf-8")
    print(f"wrote {COUNT} faces to {FACES_DIR}")


if __name__ == "__main__":
    main()
