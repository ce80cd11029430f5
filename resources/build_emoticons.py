"""Draws the classic faces (emoticons), ``emoticons/<id>.svg``, deterministically.

Run ``python resources/build_emoticons.py`` after changing the drawing code or the face
table (``qqdesk.core.content.FACE_NAMES``), and commit the SVGs it writes.

Every face is a round yellow head with a dark rim, so it reads on light and dark
backgrounds alike; an expression is a choice of eyes, brows and mouth plus a few
extras (tears, sweat, blush, a hand, a prop), written down per face id in
:data:`EXPRESSIONS`. The strokes are thick enough to survive 24 px. Nothing is
random: the same table draws the same files on every machine. The second half of
the panel is things and hands (:data:`OBJECTS`), drawn with the same dark outline.
"""

# SVG markup reads best one element a line, even past the line length.
# ruff: noqa: E501

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
EMOTICONS_DIR = HERE / "emoticons"

SKIN = "#ffd34e"
RIM = "#a8690c"
INK = "#3a2614"
WHITE = "#ffffff"
RED = "#e8434f"
MOUTH = "#8c2f3c"
TONGUE = "#f7869a"
BLUSH = "#ff7f8f"
WATER = "#4fb3f6"
HAND = "#ffc23a"

#: Where the features sit on the 64 x 64 canvas.
LEFT_EYE, RIGHT_EYE, EYE_Y = 22.5, 41.5, 29.0
MOUTH_X, MOUTH_Y = 32.0, 43.0


def num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros, to keep files small."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Expression:
    """How one face looks: named parts the drawing functions below know."""

    eyes: str = "dot"
    mouth: str = "smile"
    brows: str = ""
    extras: tuple[str, ...] = ()
    skin: str = SKIN


@dataclass
class Canvas:
    """The SVG elements of one picture, in painting order."""

    parts: list[str] = field(default_factory=list)

    def add(self, element: str) -> None:
        self.parts.append(element)

    def circle(self, x: float, y: float, r: float, fill: str, extra: str = "") -> None:
        self.add(f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="{fill}"{extra}/>')

    def ellipse(self, x: float, y: float, rx: float, ry: float, fill: str) -> None:
        self.add(
            f'<ellipse cx="{num(x)}" cy="{num(y)}" rx="{num(rx)}" ry="{num(ry)}" fill="{fill}"/>'
        )

    def rect(
        self, x: float, y: float, w: float, h: float, r: float, fill: str, extra: str = ""
    ) -> None:
        self.add(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" rx="{num(r)}"'
            f' fill="{fill}"{extra}/>'
        )

    def path(self, d: str, fill: str, extra: str = "") -> None:
        self.add(f'<path d="{d}" fill="{fill}"{extra}/>')

    def stroke(self, d: str, colour: str = INK, width: float = 3.2) -> None:
        self.add(
            f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{num(width)}"'
            ' stroke-linecap="round" stroke-linejoin="round"/>'
        )


# -- eyes ---------------------------------------------------------------------------------


def _each_eye(draw: Callable[[Canvas, float, float], None]) -> Callable[[Canvas], None]:
    def both(canvas: Canvas) -> None:
        draw(canvas, LEFT_EYE, 1)
        draw(canvas, RIGHT_EYE, -1)

    return both


def _dot(canvas: Canvas, x: float, _side: float) -> None:
    canvas.ellipse(x, EYE_Y, 3.4, 4.4, INK)
    canvas.circle(x - 1.1, EYE_Y - 1.6, 1.3, WHITE)


def _happy(canvas: Canvas, x: float, _side: float) -> None:
    canvas.stroke(
        f"M{num(x - 5)} {num(EYE_Y + 2)} Q{num(x)} {num(EYE_Y - 6)} {num(x + 5)} {num(EYE_Y + 2)}"
    )


def _closed(canvas: Canvas, x: float, _side: float) -> None:
    canvas.stroke(
        f"M{num(x - 5)} {num(EYE_Y)} Q{num(x)} {num(EYE_Y + 5)} {num(x + 5)} {num(EYE_Y)}"
    )


def _line(canvas: Canvas, x: float, _side: float) -> None:
    canvas.stroke(f"M{num(x - 5)} {num(EYE_Y + 1)} H{num(x + 5)}")


def _wide(canvas: Canvas, x: float, _side: float) -> None:
    canvas.circle(x, EYE_Y, 6.2, WHITE, f' stroke="{INK}" stroke-width="2"')
    canvas.circle(x, EYE_Y, 2.2, INK)


def _up(canvas: Canvas, x: float, _side: float) -> None:
    """Rolled up: the whites show, the pupils hide under the lid."""
    canvas.circle(x, EYE_Y, 6, WHITE, f' stroke="{INK}" stroke-width="2"')
    canvas.ellipse(x, EYE_Y - 3.6, 3, 2, INK)


def _aside(canvas: Canvas, x: float, _side: float) -> None:
    """Looking to the viewer's right, lids half down."""
    canvas.circle(x, EYE_Y, 6, WHITE, f' stroke="{INK}" stroke-width="2"')
    canvas.circle(x + 3, EYE_Y + 1, 2.6, INK)
    canvas.stroke(f"M{num(x - 6.5)} {num(EYE_Y - 1.5)} H{num(x + 6.5)}", INK, 2.6)


def _half(canvas: Canvas, x: float, _side: float) -> None:
    canvas.path(f"M{num(x - 5)} {num(EYE_Y)} A5 5 0 0 0 {num(x + 5)} {num(EYE_Y)} Z", INK)
    canvas.stroke(f"M{num(x - 6)} {num(EYE_Y)} H{num(x + 6)}", INK, 2.6)


def _cross(canvas: Canvas, x: float, _side: float) -> None:
    canvas.stroke(
        f"M{num(x - 4)} {num(EYE_Y - 4)} L{num(x + 4)} {num(EYE_Y + 4)}"
        f" M{num(x + 4)} {num(EYE_Y - 4)} L{num(x - 4)} {num(EYE_Y + 4)}"
    )


def _squeeze(canvas: Canvas, x: float, side: float) -> None:
    """> < : eyes screwed shut."""
    tip = x + 3.5 * side
    back = x - 3.5 * side
    canvas.stroke(
        f"M{num(back)} {num(EYE_Y - 4)} L{num(tip)} {num(EYE_Y)} L{num(back)} {num(EYE_Y + 4)}"
    )


def _spiral(canvas: Canvas, x: float, _side: float) -> None:
    y = EYE_Y
    canvas.stroke(
        f"M{num(x)} {num(y)} a1.5 1.5 0 1 1 1.5 1.5 a3 3 0 1 1 -3 -3 a4.5 4.5 0 1 1 4.5 4.5",
        INK,
        2,
    )


def _heart(canvas: Canvas, x: float, _side: float) -> None:
    y = EYE_Y - 3
    canvas.path(
        f"M{num(x)} {num(y + 9)} C{num(x - 9)} {num(y + 3)} {num(x - 6)} {num(y - 4)} {num(x)} {num(y)}"
        f" C{num(x + 6)} {num(y - 4)} {num(x + 9)} {num(y + 3)} {num(x)} {num(y + 9)} Z",
        RED,
    )


def _shiny(canvas: Canvas, x: float, _side: float) -> None:
    """Big glistening eyes (pleading)."""
    canvas.circle(x, EYE_Y, 5.8, INK)
    canvas.circle(x - 1.8, EYE_Y - 2, 2.2, WHITE)
    canvas.circle(x + 2, EYE_Y + 2.2, 1.1, WHITE)


def _star(canvas: Canvas, x: float, _side: float) -> None:
    y = EYE_Y
    canvas.path(
        f"M{num(x)} {num(y - 6)} L{num(x + 1.8)} {num(y - 1.8)} L{num(x + 6)} {num(y)}"
        f" L{num(x + 1.8)} {num(y + 1.8)} L{num(x)} {num(y + 6)} L{num(x - 1.8)} {num(y + 1.8)}"
        f" L{num(x - 6)} {num(y)} L{num(x - 1.8)} {num(y - 1.8)} Z",
        "#ff9f1c",
        f' stroke="{INK}" stroke-width="1.2" stroke-linejoin="round"',
    )


def _small(canvas: Canvas, x: float, _side: float) -> None:
    canvas.circle(x, EYE_Y, 2.4, INK)


def _wink(canvas: Canvas) -> None:
    _dot(canvas, LEFT_EYE, 1)
    _happy(canvas, RIGHT_EYE, -1)


def _shades(canvas: Canvas) -> None:
    canvas.stroke(f"M{num(LEFT_EYE - 9)} {num(EYE_Y - 3)} H{num(RIGHT_EYE + 9)}", INK, 2.6)
    for x in (LEFT_EYE, RIGHT_EYE):
        canvas.path(
            f"M{num(x - 8)} {num(EYE_Y - 3)} H{num(x + 8)} Q{num(x + 7)} {num(EYE_Y + 6)}"
            f" {num(x)} {num(EYE_Y + 6)} Q{num(x - 7)} {num(EYE_Y + 6)} {num(x - 8)} {num(EYE_Y - 3)} Z",
            "#1e2430",
        )
    canvas.stroke(f"M{num(LEFT_EYE - 4)} {num(EYE_Y - 0.5)} l3 -1.5", WHITE, 1.6)


EYES: dict[str, Callable[[Canvas], None]] = {
    "dot": _each_eye(_dot),
    "happy": _each_eye(_happy),
    "closed": _each_eye(_closed),
    "line": _each_eye(_line),
    "wide": _each_eye(_wide),
    "up": _each_eye(_up),
    "aside": _each_eye(_aside),
    "half": _each_eye(_half),
    "cross": _each_eye(_cross),
    "squeeze": _each_eye(_squeeze),
    "spiral": _each_eye(_spiral),
    "heart": _each_eye(_heart),
    "shiny": _each_eye(_shiny),
    "star": _each_eye(_star),
    "small": _each_eye(_small),
    "wink": _wink,
    "shades": _shades,
}


# -- brows --------------------------------------------------------------------------------


def _brows(canvas: Canvas, style: str) -> None:
    y = EYE_Y - 9
    for x, side in ((LEFT_EYE, 1), (RIGHT_EYE, -1)):
        inner, outer = x + 5 * side, x - 5 * side
        if style == "angry":  # inner ends down
            canvas.stroke(f"M{num(outer)} {num(y - 2)} L{num(inner)} {num(y + 2.5)}")
        elif style == "sad":  # inner ends up
            canvas.stroke(f"M{num(outer)} {num(y + 2)} L{num(inner)} {num(y - 2.5)}")
        elif style == "raised":
            canvas.stroke(
                f"M{num(x - 5)} {num(y - 1)} Q{num(x)} {num(y - 6)} {num(x + 5)} {num(y - 1)}"
            )
        elif style == "flat":
            canvas.stroke(f"M{num(x - 5)} {num(y)} H{num(x + 5)}")
        elif style == "knit":  # worried: raised inner ends, with a wave
            canvas.stroke(
                f"M{num(outer)} {num(y + 1)} Q{num(x)} {num(y + 1)} {num(inner)} {num(y - 3)}"
            )


# -- mouths -------------------------------------------------------------------------------


def _mouth(canvas: Canvas, style: str) -> None:
    x, y = MOUTH_X, MOUTH_Y
    if style == "smile":
        canvas.stroke(
            f"M{num(x - 9)} {num(y - 1)} Q{num(x)} {num(y + 8)} {num(x + 9)} {num(y - 1)}"
        )
    elif style == "small-smile":
        canvas.stroke(f"M{num(x - 5)} {num(y)} Q{num(x)} {num(y + 4)} {num(x + 5)} {num(y)}")
    elif style == "laugh":  # wide open, tongue showing
        canvas.path(
            f"M{num(x - 11)} {num(y - 2)} H{num(x + 11)} Q{num(x + 10)} {num(y + 12)} {num(x)} {num(y + 12)} Q{num(x - 10)} {num(y + 12)} {num(x - 11)} {num(y - 2)} Z",
            MOUTH,
        )
        canvas.path(
            f"M{num(x - 6)} {num(y + 9)} Q{num(x)} {num(y + 4)} {num(x + 6)} {num(y + 9)} Q{num(x)} {num(y + 12.5)} {num(x - 6)} {num(y + 9)} Z",
            TONGUE,
        )
    elif style == "grin":  # teeth
        canvas.path(
            f"M{num(x - 11)} {num(y - 3)} H{num(x + 11)} Q{num(x + 10)} {num(y + 9)} {num(x)} {num(y + 9)} Q{num(x - 10)} {num(y + 9)} {num(x - 11)} {num(y - 3)} Z",
            WHITE,
            f' stroke="{INK}" stroke-width="2.4" stroke-linejoin="round"',
        )
        canvas.stroke(f"M{num(x - 10)} {num(y + 2)} H{num(x + 10)}", INK, 1.6)
    elif style == "frown":
        canvas.stroke(
            f"M{num(x - 8)} {num(y + 5)} Q{num(x)} {num(y - 3)} {num(x + 8)} {num(y + 5)}"
        )
    elif style == "pout":  # small, turned down and off to one side
        canvas.stroke(
            f"M{num(x - 6)} {num(y + 4)} Q{num(x - 1)} {num(y - 1)} {num(x + 6)} {num(y + 2)}"
        )
    elif style == "flat":
        canvas.stroke(f"M{num(x - 7)} {num(y + 2)} H{num(x + 7)}")
    elif style == "wavy":
        canvas.stroke(f"M{num(x - 9)} {num(y + 2)} q2.25 -3 4.5 0 t4.5 0 t4.5 0 t4.5 0")
    elif style == "zip":
        canvas.stroke(f"M{num(x - 9)} {num(y + 2)} H{num(x + 9)}", INK, 2.6)
        canvas.stroke(
            f"M{num(x - 6)} {num(y - 1)} v6 M{num(x - 2)} {num(y - 1)} v6 M{num(x + 2)} {num(y - 1)} v6 M{num(x + 6)} {num(y - 1)} v6",
            INK,
            1.8,
        )
    elif style == "o":
        canvas.ellipse(x, y + 3, 3.4, 4, MOUTH)
    elif style == "O":
        canvas.ellipse(x, y + 4, 6, 7.5, MOUTH)
    elif style == "tongue":
        canvas.stroke(
            f"M{num(x - 9)} {num(y - 1)} Q{num(x)} {num(y + 7)} {num(x + 9)} {num(y - 1)}"
        )
        canvas.path(
            f"M{num(x + 1)} {num(y + 3)} h7 v4 a3.5 3.5 0 0 1 -7 0 Z",
            TONGUE,
            f' stroke="{INK}" stroke-width="1.6"',
        )
    elif style == "smirk":
        canvas.stroke(
            f"M{num(x - 7)} {num(y + 3)} Q{num(x + 3)} {num(y + 5)} {num(x + 9)} {num(y - 2)}"
        )
    elif style == "kiss":
        canvas.stroke(f"M{num(x - 2)} {num(y - 3)} q5 2 0 4 q5 2 0 4", INK, 2.6)
    elif style == "teeth":  # clenched, angry
        canvas.add(
            f'<rect x="{num(x - 9)}" y="{num(y - 1)}" width="18" height="8" rx="2" fill="{WHITE}" stroke="{INK}" stroke-width="2.4"/>'
        )
        canvas.stroke(
            f"M{num(x - 9)} {num(y + 3)} H{num(x + 9)} M{num(x - 3)} {num(y - 1)} v8 M{num(x + 3)} {num(y - 1)} v8",
            INK,
            1.4,
        )
    elif style == "wail":  # a wide crying mouth, corners down
        canvas.path(
            f"M{num(x - 10)} {num(y + 9)} Q{num(x)} {num(y - 6)} {num(x + 10)} {num(y + 9)} Z",
            MOUTH,
            f' stroke="{INK}" stroke-width="1.8" stroke-linejoin="round"',
        )
    elif style == "cat":
        canvas.stroke(f"M{num(x - 8)} {num(y)} q4 5 8 0 q4 5 8 0")
    elif style == "drool":
        canvas.ellipse(x, y + 3, 5, 4, MOUTH)
        canvas.path(f"M{num(x + 3)} {num(y + 5)} q1.5 6 0 8 q-2.5 -1 -2 -5 Z", WATER)
    elif style == "yawn":
        canvas.ellipse(x, y + 4, 7, 8.5, MOUTH)
        canvas.ellipse(x, y + 8, 4, 2.5, TONGUE)


# -- extras -------------------------------------------------------------------------------


def _extra(canvas: Canvas, name: str) -> None:
    if name == "blush":
        canvas.add(
            f'<g fill="{BLUSH}" opacity="0.6"><ellipse cx="15" cy="38" rx="4.5" ry="2.8"/><ellipse cx="49" cy="38" rx="4.5" ry="2.8"/></g>'
        )
    elif name == "tear":
        canvas.path(
            "M46 33 q-5 7 0 10 q5 -3 0 -10 Z", WATER, f' stroke="{WHITE}" stroke-width="0.8"'
        )
    elif name == "tears":  # streams down both cheeks
        canvas.path(
            f"M{num(LEFT_EYE - 2)} 33 h4 v16 q-2 3 -4 0 Z M{num(RIGHT_EYE - 2)} 33 h4 v16 q-2 3 -4 0 Z",
            WATER,
        )
    elif name == "sweat":
        canvas.path(
            "M50 10 q-5 7 0 9.5 q5 -2.5 0 -9.5 Z", WATER, f' stroke="{WHITE}" stroke-width="1"'
        )
    elif name == "cold":  # blue shade over the forehead
        canvas.add('<path d="M11 24 A22 22 0 0 1 53 24 Z" fill="#5b8def" opacity="0.45"/>')
        canvas.stroke("M20 11 v7 M27 9 v8 M34 9 v8 M41 10 v7", "#3a66c4", 1.8)
    elif name == "anger":
        canvas.stroke("M47 6 l3 5 M55 9 l-5 2 M53 17 l-3 -5 M45 14 l5 -2", RED, 2.6)
    elif name == "zzz":
        canvas.stroke("M44 4 h7 l-7 7 h7 M54 14 h5 l-5 5 h5", "#5b6b8c", 2.2)
    elif name == "question":
        canvas.stroke("M46 8 q0 -5 5 -5 q5 0 5 4.5 q0 3 -4.5 5 v3", "#3d7bf2", 3)
        canvas.circle(51.5, 21, 1.8, "#3d7bf2")
    elif name == "exclaim":
        canvas.stroke("M53 3 v11", RED, 3.4)
        canvas.circle(53, 19.5, 2, RED)
    elif name == "finger":  # a finger on the lips
        canvas.add(
            f'<rect x="29" y="36" width="6" height="18" rx="3" fill="{HAND}" stroke="{RIM}" stroke-width="1.6"/>'
        )
    elif name == "helmet":
        canvas.path(
            "M6 27 Q6 4 32 4 Q58 4 58 27 Z", "#5d7a3a", f' stroke="{INK}" stroke-width="1.6"'
        )
        canvas.add('<rect x="3" y="24" width="58" height="5" rx="2.5" fill="#4a622d"/>')
    elif name == "headband":
        canvas.add(f'<rect x="6" y="13" width="52" height="6" fill="{RED}"/>')
        canvas.path("M56 14 l7 -4 l-2 6 l3 4 l-8 -1 Z", RED)
    elif name == "curse":  # symbols in a speech puff
        canvas.add(
            f'<rect x="40" y="1" width="23" height="13" rx="5" fill="{WHITE}" stroke="{INK}" stroke-width="1.6"/>'
        )
        canvas.stroke("M44 10 l3 -6 M50 4 v6 M55 5 l4 4 M59 5 l-4 4", RED, 1.8)
    elif name == "bandage":
        canvas.add(
            '<g transform="rotate(-30 20 14)"><rect x="11" y="10" width="18" height="7" rx="2" fill="#f2d3b0" stroke="#b58a5d" stroke-width="1.2"/></g>'
        )
        canvas.add(
            '<g transform="rotate(30 44 14)"><rect x="35" y="10" width="18" height="7" rx="2" fill="#f2d3b0" stroke="#b58a5d" stroke-width="1.2"/></g>'
        )
    elif name == "cloud":
        canvas.path(
            "M12 12 a6 6 0 0 1 11 -5 a7 7 0 0 1 13 1 a6 6 0 0 1 5 10 H15 a5 5 0 0 1 -3 -6 Z",
            "#6d7480",
        )
        canvas.stroke("M20 22 l-2 5 M29 22 l-2 5 M38 22 l-2 5", WATER, 2)
    elif name == "hammer":
        canvas.add(
            '<g transform="rotate(-35 46 12)"><rect x="44.5" y="9" width="3" height="16" fill="#8d5a2b"/><rect x="38" y="3" width="16" height="8" rx="2" fill="#7f8a99" stroke="#3d4450" stroke-width="1.2"/></g>'
        )
        canvas.stroke("M28 4 l2 4 M34 3 v5 M22 7 l4 3", RED, 1.8)
    elif name == "wave":
        canvas.add(
            f'<g transform="rotate(20 54 46)"><rect x="49" y="36" width="11" height="14" rx="5" fill="{HAND}" stroke="{RIM}" stroke-width="1.6"/></g>'
        )
        canvas.stroke("M61 30 q3 4 0 8 M57 28 q2 2 1 4", RIM, 1.6)
    elif name == "clap":
        canvas.add(
            f'<g fill="{HAND}" stroke="{RIM}" stroke-width="1.6"><rect x="6" y="44" width="11" height="15" rx="5" transform="rotate(-25 11 51)"/><rect x="47" y="44" width="11" height="15" rx="5" transform="rotate(25 53 51)"/></g>'
        )
        canvas.stroke("M4 38 l3 3 M60 38 l-3 3 M32 60 v3", RIM, 1.6)
    elif name == "wipe":  # a hand with a towel at the brow
        canvas.add(
            f'<rect x="42" y="10" width="18" height="8" rx="3" fill="{WHITE}" stroke="{INK}" stroke-width="1.4"/>'
        )
        canvas.path("M46 12 q-5 7 0 9.5 q5 -2.5 0 -9.5 Z", WATER)
    elif name == "pick":  # a finger at the nose
        canvas.add(
            f'<rect x="33" y="33" width="5" height="15" rx="2.5" fill="{HAND}" stroke="{RIM}" stroke-width="1.4" transform="rotate(15 35 40)"/>'
        )
        canvas.circle(33, 36, 1.4, INK)
    elif name == "puff-left":
        canvas.add(
            '<g fill="#c9d3de"><circle cx="7" cy="45" r="4"/><circle cx="3" cy="40" r="2.6"/></g>'
        )
    elif name == "puff-right":
        canvas.add(
            '<g fill="#c9d3de"><circle cx="57" cy="45" r="4"/><circle cx="61" cy="40" r="2.6"/></g>'
        )
    elif name == "heart":
        canvas.path("M52 22 C44 17 45 9 52 12 C59 9 60 17 52 22 Z", RED)
    elif name == "spin":
        canvas.stroke("M8 14 q4 -6 10 -4 M46 10 q6 -2 10 4", "#7d64d6", 2)
    elif name == "sparkle":
        canvas.path(
            "M53 3 L55 9 L61 11 L55 13 L53 19 L51 13 L45 11 L51 9 Z",
            "#ffb703",
            f' stroke="{RIM}" stroke-width="0.8"',
        )
    elif name == "flower":
        canvas.add(
            '<g fill="#ff8fb1"><circle cx="12" cy="9" r="3.4"/><circle cx="18" cy="11" r="3.4"/><circle cx="16" cy="17" r="3.4"/><circle cx="9" cy="16" r="3.4"/><circle cx="8" cy="11" r="3"/></g>'
        )
        canvas.circle(12.8, 13, 2.6, "#ffd166")
    elif name == "chin":  # a hand under the chin
        canvas.add(
            f'<rect x="12" y="47" width="17" height="11" rx="5" fill="{HAND}" stroke="{RIM}" stroke-width="1.6"/>'
        )
    elif name == "blood":
        canvas.path("M32 47 q-7 5 -12 14 h6 q2 -6 6 -9 q4 3 6 9 h6 q-5 -9 -12 -14 Z", "#d62839")
    elif name == "torn":  # a scribble above the head
        canvas.stroke("M20 8 q4 -6 8 0 t8 0 t8 0 q-6 4 -12 0 q-6 -3 -8 2", "#6c5ce7", 1.8)
    elif name == "sneer":  # one corner pulled up, nostrils flared
        canvas.stroke("M28 36 q-1 2 -2 1 M36 36 q1 2 2 1", INK, 1.6)


# -- whole faces that are not yellow heads ------------------------------------------------


def _skull(canvas: Canvas) -> None:
    canvas.path(
        "M32 5 C14 5 7 17 8 30 C9 38 14 41 17 43 V52 Q17 57 22 57 H42 Q47 57 47 52 V43"
        " C50 41 55 38 56 30 C57 17 50 5 32 5 Z",
        "#f4f1ea",
        f' stroke="{INK}" stroke-width="2.6" stroke-linejoin="round"',
    )
    canvas.ellipse(22.5, 30, 6, 6.5, INK)
    canvas.ellipse(41.5, 30, 6, 6.5, INK)
    canvas.path("M32 36 L35 42 H29 Z", INK)
    canvas.stroke("M24 48 V56 M29 48 V57 M35 48 V57 M40 48 V56", INK, 2)


def _doge(canvas: Canvas) -> None:
    fur, light = "#e5a651", "#fbecd3"
    canvas.path(
        "M10 30 L12 6 L27 18 Z M54 30 L52 6 L37 18 Z",
        fur,
        f' stroke="{RIM}" stroke-width="2" stroke-linejoin="round"',
    )
    canvas.path("M14 25 L15 12 L23 19 Z M50 25 L49 12 L41 19 Z", "#c77a37")
    canvas.ellipse(32, 36, 25, 23, fur)
    canvas.add(
        f'<ellipse cx="32" cy="36" rx="25" ry="23" fill="none" stroke="{RIM}" stroke-width="2.5"/>'
    )
    canvas.ellipse(32, 45, 15, 12, light)
    canvas.path(
        "M20 29 q3 -3 6 0 M38 29 q3 -3 6 0",
        INK,
        ' stroke="#3a2614" stroke-width="3" stroke-linecap="round"',
    )
    canvas.ellipse(32, 39, 4.5, 3.2, INK)
    canvas.stroke("M25 46 q7 4 14 0", INK, 2.6)
    _brows(canvas, "raised")


SPECIAL: dict[int, Callable[[Canvas], None]] = {86: _skull, 179: _doge}

#: face id -> how it looks; the names are those of qqdesk.core.content.FACE_NAMES.
EXPRESSIONS: dict[int, Expression] = {
    14: Expression("dot", "smile"),  # 微笑
    1: Expression("dot", "pout", "sad"),  # 撇嘴
    2: Expression("heart", "laugh"),  # 色
    3: Expression("wide", "flat"),  # 发呆
    4: Expression("half", "smirk", "raised", ("sparkle",)),  # 得意
    5: Expression("closed", "frown", "sad", ("tear",)),  # 流泪
    6: Expression("closed", "small-smile", "", ("blush",)),  # 害羞
    7: Expression("dot", "zip", "flat"),  # 闭嘴
    8: Expression("closed", "o", "", ("zzz",)),  # 睡
    9: Expression("squeeze", "wail", "sad", ("tears",)),  # 大哭
    10: Expression("line", "wavy", "knit", ("sweat", "blush")),  # 尴尬
    11: Expression("dot", "teeth", "angry", ("anger",), "#ff8a4e"),  # 发怒
    12: Expression("wink", "tongue"),  # 调皮
    13: Expression("happy", "grin"),  # 呲牙
    0: Expression("wide", "O", "raised"),  # 惊讶
    50: Expression("dot", "frown", "sad"),  # 难过
    51: Expression("shades", "smirk"),  # 酷
    96: Expression("wide", "wavy", "knit", ("cold", "sweat")),  # 冷汗
    53: Expression("squeeze", "teeth", "angry", ("spin", "anger")),  # 抓狂
    54: Expression("squeeze", "O", "sad", (), "#b7dc6a"),  # 吐
    73: Expression("happy", "cat", "", ("blush",)),  # 偷笑
    74: Expression("shiny", "cat", "", ("blush",)),  # 可爱
    75: Expression("up", "flat"),  # 白眼
    76: Expression("half", "pout", "raised"),  # 傲慢
    77: Expression("shiny", "drool"),  # 饥饿
    78: Expression("half", "o", "", ("zzz",)),  # 困
    55: Expression("wide", "wail", "knit", ("cold",)),  # 惊恐
    56: Expression("line", "smile", "knit", ("sweat",)),  # 流汗
    57: Expression("happy", "laugh", "", ("blush",)),  # 憨笑
    58: Expression("dot", "flat", "angry", ("helmet",)),  # 大兵
    79: Expression("dot", "teeth", "angry", ("headband",)),  # 奋斗
    80: Expression("squeeze", "teeth", "angry", ("curse",)),  # 咒骂
    81: Expression("dot", "pout", "knit", ("question",)),  # 疑问
    82: Expression("aside", "kiss", "raised", ("finger",)),  # 嘘
    83: Expression("spiral", "wavy"),  # 晕
    84: Expression("cross", "wavy", "sad", ("bandage",)),  # 折磨
    85: Expression("line", "frown", "sad", ("cloud",), "#d9c98f"),  # 衰
    87: Expression("cross", "O", "", ("hammer",)),  # 敲打
    88: Expression("happy", "smile", "", ("wave",)),  # 再见
    97: Expression("closed", "wavy", "knit", ("wipe",)),  # 擦汗
    98: Expression("half", "flat", "", ("pick",)),  # 抠鼻
    99: Expression("happy", "laugh", "", ("clap",)),  # 鼓掌
    100: Expression("squeeze", "wavy", "knit", ("blush", "sweat")),  # 糗大了
    101: Expression("half", "smirk", "angry"),  # 坏笑
    102: Expression("aside", "pout", "angry", ("puff-left",)),  # 左哼哼
    103: Expression("aside", "pout", "angry", ("puff-right",)),  # 右哼哼
    104: Expression("closed", "yawn", "", ("tear",)),  # 哈欠
    105: Expression("aside", "smirk", "flat", ("sneer",)),  # 鄙视
    106: Expression("shiny", "pout", "sad"),  # 委屈
    107: Expression("shiny", "frown", "knit", ("tear",)),  # 快哭了
    108: Expression("half", "grin", "angry"),  # 阴险
    109: Expression("closed", "kiss", "", ("blush", "heart")),  # 亲亲
    110: Expression("wide", "o", "raised", ("exclaim",)),  # 吓
    111: Expression("shiny", "small-smile", "sad", ("tear",)),  # 可怜
    172: Expression("wink", "smile", "raised"),  # 眨眼睛
    182: Expression("squeeze", "laugh", "", ("tears",)),  # 笑哭
    173: Expression("closed", "wail", "sad", ("tears",)),  # 泪奔
    174: Expression("line", "flat", "sad", ("sweat",)),  # 无奈
    212: Expression("half", "small-smile", "", ("chin",)),  # 托腮
    175: Expression("wink", "cat", "", ("blush", "heart")),  # 卖萌
    178: Expression("aside", "grin"),  # 斜眼笑
    177: Expression("cross", "O", "", ("blood",)),  # 喷血
    180: Expression("star", "laugh", "raised"),  # 惊喜
    181: Expression("half", "tongue", "raised", ("heart",)),  # 骚扰
    176: Expression("small", "wavy", "knit", ("torn",)),  # 小纠结
    183: Expression("closed", "small-smile", "", ("flower", "blush")),  # 我最美
}


#: Shown for a face id without a picture of its own (qqdesk.resources.emoticon_path).
UNKNOWN = Expression("dot", "flat", "flat", ("question",), "#e6dcc0")


def _head(canvas: Canvas, look: Expression) -> None:
    canvas.circle(32, 34, 26.5, look.skin, f' stroke="{RIM}" stroke-width="3"')
    EYES[look.eyes](canvas)
    _brows(canvas, look.brows)
    _mouth(canvas, look.mouth)
    for name in look.extras:
        _extra(canvas, name)


def _svg(title: str, canvas: Canvas) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f"<title>{title}</title>{''.join(canvas.parts)}</svg>\n"
    )


# -- things and hands (the panel's second half) ------------------------------------------

OUTLINE = f' stroke="{INK}" stroke-width="2.2" stroke-linejoin="round"'


def _cleaver(canvas: Canvas) -> None:
    canvas.path("M10 14 H44 V38 Q30 42 10 38 Z", "#c7d0da", OUTLINE)
    canvas.circle(17, 21, 2.4, "#7f8a99")
    canvas.add(f'<rect x="43" y="21" width="16" height="8" rx="3" fill="#8d5a2b"{OUTLINE}/>')


def _watermelon(canvas: Canvas) -> None:
    canvas.path("M6 26 H58 A26 26 0 0 1 6 26 Z", "#3f9b46", OUTLINE)
    canvas.path("M11 26 H53 A21 21 0 0 1 11 26 Z", "#f1fbe6")
    canvas.path("M13 26 H51 A19 19 0 0 1 13 26 Z", "#f0445a")
    for x, y in ((22, 33), (32, 38), (42, 33), (27, 30), (37, 30)):
        canvas.ellipse(x, y, 1.5, 2.2, INK)


def _beer(canvas: Canvas) -> None:
    canvas.add(
        f'<path d="M44 24 h6 a7 7 0 0 1 0 18 h-6" fill="none" stroke="{INK}" stroke-width="4"/>'
    )
    canvas.add(f'<rect x="14" y="18" width="31" height="38" rx="4" fill="#ffb627"{OUTLINE}/>')
    canvas.path(
        "M12 22 a6 6 0 0 1 6 -10 a8 8 0 0 1 14 -3 a7 7 0 0 1 13 5 a5 5 0 0 1 2 8 Z", WHITE, OUTLINE
    )
    canvas.stroke("M22 30 V48 M30 30 V48 M38 30 V48", "#e8900c", 2.4)


def _basketball(canvas: Canvas) -> None:
    canvas.circle(32, 32, 25, "#f07a28", OUTLINE)
    canvas.stroke("M7 32 H57 M32 7 V57 M14 14 Q26 32 14 50 M50 14 Q38 32 50 50", INK, 2)


def _ping_pong(canvas: Canvas) -> None:
    canvas.add(
        f'<rect x="34" y="36" width="9" height="22" rx="3" fill="#a0652d"{OUTLINE} transform="rotate(-40 38 47)"/>'
    )
    canvas.circle(26, 28, 18, "#e23d44", OUTLINE)
    canvas.circle(50, 14, 7, WHITE, OUTLINE)


def _coffee(canvas: Canvas) -> None:
    canvas.ellipse(30, 54, 24, 5, "#d9dee5")
    canvas.add(
        f'<path d="M46 32 h4 a6 6 0 0 1 0 12 h-4" fill="none" stroke="{INK}" stroke-width="3.4"/>'
    )
    canvas.path("M12 28 H48 V42 Q48 54 36 54 H24 Q12 54 12 42 Z", WHITE, OUTLINE)
    canvas.ellipse(30, 29, 17, 3.5, "#6f3d1f")
    canvas.stroke(
        "M22 20 q-3 -4 0 -8 t0 -8 M32 20 q-3 -4 0 -8 t0 -8 M42 20 q-3 -4 0 -8", "#9aa3ad", 2.2
    )


def _rice(canvas: Canvas) -> None:
    canvas.stroke("M40 4 L54 34 M46 3 L58 32", "#a0652d", 2.6)
    canvas.path("M12 30 a20 14 0 0 1 40 0 Z", WHITE, OUTLINE)
    canvas.path("M6 30 H58 Q56 54 32 56 Q8 54 6 30 Z", "#4f8fd9", OUTLINE)
    canvas.stroke("M14 40 H50", WHITE, 2)


def _pig(canvas: Canvas) -> None:
    pink, dark = "#ffb3c4", "#d9687f"
    canvas.path("M9 22 L12 6 L25 14 Z M55 22 L52 6 L39 14 Z", pink, OUTLINE)
    canvas.circle(32, 35, 25, pink, f' stroke="{dark}" stroke-width="3"')
    canvas.ellipse(32, 41, 11, 8, "#ff8fa8")
    canvas.ellipse(28, 41, 2.2, 3.2, dark)
    canvas.ellipse(36, 41, 2.2, 3.2, dark)
    canvas.circle(21, 29, 3, INK)
    canvas.circle(43, 29, 3, INK)


def _bloom(canvas: Canvas, x: float, y: float, petals: str) -> None:
    canvas.circle(x, y, 12, petals, OUTLINE)
    canvas.stroke(f"M{num(x)} {num(y)} a3 3 0 1 1 3 3 a6 6 0 1 1 -6 -6", INK, 1.6)


def _rose(canvas: Canvas) -> None:
    canvas.stroke("M32 28 V60", "#2f8a3b", 3.4)
    canvas.path("M32 46 Q20 36 14 44 Q22 52 32 46 Z", "#45b04f", OUTLINE)
    _bloom(canvas, 32, 18, "#e8243b")


def _wilted(canvas: Canvas) -> None:
    canvas.stroke("M24 60 V34 Q24 18 40 22", "#7a8b47", 3.4)
    canvas.path("M24 48 Q12 46 10 56 Q20 58 24 48 Z", "#9aa35a", OUTLINE)
    _bloom(canvas, 42, 32, "#8e4a55")
    canvas.path("M50 46 q4 4 2 8 q-4 -2 -2 -8 Z", "#8e4a55")


def _lips(canvas: Canvas) -> None:
    canvas.path(
        "M6 30 Q16 14 26 20 Q32 23 38 20 Q48 14 58 30 Q46 50 32 50 Q18 50 6 30 Z",
        "#e8243b",
        OUTLINE,
    )
    canvas.stroke("M8 30 Q20 34 32 30 Q44 34 56 30", "#8c1020", 2.2)
    canvas.ellipse(40, 40, 4, 2, "#ff8b98")


HEART = "M32 56 C4 38 6 12 20 10 C27 9 31 14 32 18 C33 14 37 9 44 10 C58 12 60 38 32 56 Z"


def _heart(canvas: Canvas) -> None:
    canvas.path(HEART, "#f0304a", OUTLINE)
    canvas.ellipse(20, 20, 5, 3, "#ff9aa8")


def _broken_heart(canvas: Canvas) -> None:
    canvas.add(
        f'<g transform="translate(-3 2) rotate(-8 32 56)"><path d="M32 56 C4 38 6 12 20 10 C27 9 31 14 32 18 L27 28 L35 36 L29 46 Z" fill="#c2334a"{OUTLINE}/></g>'
    )
    canvas.add(
        f'<g transform="translate(3 2) rotate(8 32 56)"><path d="M32 18 C33 14 37 9 44 10 C58 12 60 38 32 56 L29 46 L35 36 L27 28 Z" fill="#c2334a"{OUTLINE}/></g>'
    )


def _cake(canvas: Canvas) -> None:
    canvas.add(f'<rect x="29" y="10" width="6" height="14" rx="2" fill="#6fb7ff"{OUTLINE}/>')
    canvas.path("M32 2 q-4 4 0 7 q4 -3 0 -7 Z", "#ff9f1c")
    canvas.add(f'<rect x="10" y="24" width="44" height="32" rx="5" fill="#ffe0b8"{OUTLINE}/>')
    canvas.path(
        "M10 30 Q15 38 20 30 Q26 38 32 30 Q38 38 44 30 Q49 38 54 30 V27 Q54 24 50 24 H14 Q10 24 10 27 Z",
        "#ff7aa2",
    )
    canvas.stroke("M11 44 H53", "#e39a6b", 3)


def _lightning(canvas: Canvas) -> None:
    canvas.path("M36 3 L12 36 H29 L24 61 L52 24 H35 Z", "#ffd028", OUTLINE)


def _bomb(canvas: Canvas) -> None:
    canvas.stroke("M40 20 Q44 10 52 10", "#a0652d", 3)
    canvas.path("M54 4 L56 9 L61 10 L56 12 L54 17 L52 12 L47 10 L52 9 Z", "#ff9f1c")
    canvas.add(
        '<rect x="33" y="16" width="10" height="8" rx="2" fill="#596273" transform="rotate(30 38 20)"/>'
    )
    canvas.circle(28, 38, 20, "#2d3340", f' stroke="{WHITE}" stroke-width="1.6"')
    canvas.ellipse(20, 30, 5, 3, "#6b7487")


def _knife(canvas: Canvas) -> None:
    canvas.path("M4 30 Q20 14 44 22 V34 H10 Q4 34 4 30 Z", "#d6dde5", OUTLINE)
    canvas.add(f'<rect x="43" y="21" width="18" height="14" rx="3" fill="#3b3f4a"{OUTLINE}/>')
    canvas.circle(49, 28, 1.6, "#c7d0da")
    canvas.circle(55, 28, 1.6, "#c7d0da")


def _football(canvas: Canvas) -> None:
    canvas.circle(32, 32, 25, WHITE, OUTLINE)
    canvas.path("M32 22 L41 28 L38 39 H26 L23 28 Z", INK)
    canvas.stroke("M32 22 V8 M41 28 L54 23 M38 39 L46 51 M26 39 L18 51 M23 28 L10 23", INK, 2)
    canvas.path("M25 8 L32 7 L39 8 L32 12 Z M8 33 L10 26 L13 34 Z M56 33 L54 26 L51 34 Z", INK)


def _ladybird(canvas: Canvas) -> None:
    canvas.stroke("M26 14 Q22 6 16 6 M38 14 Q42 6 48 6", INK, 2)
    canvas.circle(32, 18, 9, INK)
    canvas.circle(32, 37, 22, "#e8303f", OUTLINE)
    canvas.stroke("M32 16 V59", INK, 2.4)
    for x, y, r in ((22, 32, 4), (42, 32, 4), (20, 46, 3.4), (44, 46, 3.4), (32, 25, 0)):
        if r:
            canvas.circle(x, y, r, INK)


def _poop(canvas: Canvas) -> None:
    brown = "#8a5a32"
    canvas.path("M8 56 Q4 44 16 42 H48 Q60 44 56 56 Z", brown, OUTLINE)
    canvas.path("M14 42 Q10 32 22 30 H42 Q54 32 50 42 Z", brown, OUTLINE)
    canvas.path("M20 30 Q18 20 30 18 Q34 12 34 5 Q46 14 44 30 Z", brown, OUTLINE)
    canvas.circle(25, 48, 3.2, WHITE)
    canvas.circle(39, 48, 3.2, WHITE)
    canvas.circle(25.6, 48.6, 1.6, INK)
    canvas.circle(39.6, 48.6, 1.6, INK)


def _moon(canvas: Canvas) -> None:
    canvas.path("M40 6 A26 26 0 1 0 58 42 A20 20 0 1 1 40 6 Z", "#ffd84d", OUTLINE)
    canvas.circle(22, 42, 2.6, "#f2b82d")
    canvas.circle(16, 30, 1.8, "#f2b82d")


def _sun(canvas: Canvas) -> None:
    rays = " ".join(
        f"M{num(32 + 20 * dx)} {num(32 + 20 * dy)} L{num(32 + 29 * dx)} {num(32 + 29 * dy)}"
        for dx, dy in (
            (1, 0),
            (-1, 0),
            (0, 1),
            (0, -1),
            (0.71, 0.71),
            (-0.71, 0.71),
            (0.71, -0.71),
            (-0.71, -0.71),
        )
    )
    canvas.stroke(rays, "#ff8c1a", 4)
    canvas.circle(32, 32, 15, "#ffb81c", OUTLINE)


def _gift(canvas: Canvas) -> None:
    canvas.add(f'<rect x="10" y="26" width="44" height="32" rx="3" fill="#e84b5a"{OUTLINE}/>')
    canvas.add(f'<rect x="6" y="18" width="52" height="10" rx="3" fill="#f06675"{OUTLINE}/>')
    canvas.add('<rect x="28" y="18" width="8" height="40" fill="#ffd34e"/>')
    canvas.path(
        "M32 18 Q20 4 16 12 Q14 18 32 18 Z M32 18 Q44 4 48 12 Q50 18 32 18 Z", "#ffd34e", OUTLINE
    )


# A hand seen from the front: a palm, four fingers (e: extended, c: curled, b: bent),
# and a thumb ("side" across the fist, "out" to the left, "" hidden).
FINGER_X = (22.0, 28.5, 35.0, 41.5)
HAND_STROKE = f' stroke="{RIM}" stroke-width="2" stroke-linejoin="round"'


def _hand(canvas: Canvas, fingers: str, thumb: str, turn: float = 0, skin: str = HAND) -> None:
    group = Canvas()
    for x, kind in zip(FINGER_X, fingers, strict=True):
        if kind == "e":
            group.rect(x - 3, 8, 6.4, 30, 3.2, skin, HAND_STROKE)
        elif kind == "b":
            group.path(
                f"M{num(x - 3)} 36 V20 Q{num(x - 3)} 14 {num(x + 3)} 14 H{num(x + 7)} V20"
                f" H{num(x + 3.4)} V36 Z",
                skin,
                HAND_STROKE,
            )
    group.rect(18, 28, 29, 28, 8, skin, HAND_STROKE)
    for x, kind in zip(FINGER_X, fingers, strict=True):
        if kind == "c":
            group.rect(x - 3, 24, 6.4, 12, 3.2, skin, HAND_STROKE)
    if thumb == "side":
        group.rect(14, 38, 24, 7.4, 3.7, skin, HAND_STROKE)
    elif thumb == "out":
        group.rect(6, 32, 18, 7.4, 3.7, skin, f'{HAND_STROKE} transform="rotate(-30 20 36)"')
    # The hand spans x 6..47: centre it on the tile and let it fill the cell.
    place = "translate(34 33) scale(1.18) translate(-29 -32)"
    if turn:
        place = f"rotate({num(turn)} 32 32) {place}"
    canvas.add(f'<g transform="{place}">{"".join(group.parts)}</g>')


def _thumb(canvas: Canvas, turn: float = 0) -> None:
    """A fist seen from the side, its fingers stacked, the thumb up (turned: down)."""
    hand = Canvas()
    hand.rect(16, 6, 11, 30, 5.5, HAND, HAND_STROKE)
    hand.rect(14, 26, 28, 32, 8, HAND, HAND_STROKE)
    for y in (26, 33.5, 41, 48.5):
        hand.rect(28, y, 22, 8, 4, HAND, HAND_STROKE)
    turned = f' transform="rotate({num(turn)} 32 32)"' if turn else ""
    canvas.add(f"<g{turned}>{''.join(hand.parts)}</g>")


def _hug(canvas: Canvas) -> None:
    _head(canvas, Expression("happy", "smile", "", ("blush",)))
    canvas.add(
        f'<g fill="{HAND}"{HAND_STROKE}><ellipse cx="15" cy="50" rx="9" ry="6" transform="rotate(-30 15 50)"/><ellipse cx="49" cy="50" rx="9" ry="6" transform="rotate(30 49 50)"/></g>'
    )


def _handshake(canvas: Canvas) -> None:
    canvas.add(f'<rect x="0" y="30" width="14" height="16" rx="2" fill="#4f8fd9"{OUTLINE}/>')
    canvas.add(f'<rect x="50" y="30" width="14" height="16" rx="2" fill="#e84b5a"{OUTLINE}/>')
    canvas.add(f'<rect x="12" y="26" width="30" height="20" rx="9" fill="{HAND}"{HAND_STROKE}/>')
    canvas.add(f'<rect x="24" y="30" width="28" height="20" rx="9" fill="#ffd56b"{HAND_STROKE}/>')
    canvas.stroke("M30 36 H44 M30 42 H44", RIM, 1.6)
    canvas.add(f'<rect x="20" y="21" width="16" height="7" rx="3.5" fill="{HAND}"{HAND_STROKE}/>')


def _fist_salute(canvas: Canvas) -> None:
    _hand(canvas, "cccc", "side")
    canvas.add(f'<rect x="36" y="18" width="20" height="40" rx="8" fill="#ffd56b"{HAND_STROKE}/>')
    canvas.stroke("M40 24 H54 M40 30 H54 M40 36 H54", RIM, 1.4)


def _ok(canvas: Canvas) -> None:
    _hand(canvas, "cee" + "e", "")
    canvas.add(f'<circle cx="19" cy="30" r="7" fill="none" stroke="{RIM}" stroke-width="7.4"/>')
    canvas.add(f'<circle cx="19" cy="30" r="7" fill="none" stroke="{HAND}" stroke-width="4.4"/>')


def _no(canvas: Canvas) -> None:
    canvas.circle(32, 32, 25, WHITE, ' stroke="#e23d44" stroke-width="7"')
    canvas.stroke("M15 15 L49 49", "#e23d44", 7)


def _hand_of(fingers: str, thumb: str, turn: float = 0) -> Callable[[Canvas], None]:
    def draw_hand(canvas: Canvas) -> None:
        _hand(canvas, fingers, thumb, turn)

    return draw_hand


OBJECTS: dict[int, Callable[[Canvas], None]] = {
    112: _cleaver,  # 菜刀
    32: _watermelon,  # 西瓜
    113: _beer,  # 啤酒
    114: _basketball,  # 篮球
    115: _ping_pong,  # 乒乓
    63: _coffee,  # 咖啡
    64: _rice,  # 饭
    59: _pig,  # 猪头
    33: _rose,  # 玫瑰
    34: _wilted,  # 凋谢
    116: _lips,  # 示爱
    36: _heart,  # 爱心
    37: _broken_heart,  # 心碎
    38: _cake,  # 蛋糕
    91: _lightning,  # 闪电
    92: _bomb,  # 炸弹
    93: _knife,  # 刀
    29: _football,  # 足球
    117: _ladybird,  # 瓢虫
    72: _poop,  # 便便
    45: _moon,  # 月亮
    42: _sun,  # 太阳
    39: _gift,  # 礼物
    62: _hug,  # 拥抱
    46: _thumb,  # 强
    47: lambda canvas: _thumb(canvas, 180),  # 弱
    71: _handshake,  # 握手
    95: _hand_of("eecc", "side"),  # 胜利
    118: _fist_salute,  # 抱拳
    119: _hand_of("bccc", "side", -15),  # 勾引
    120: _hand_of("cccc", "side"),  # 拳头
    121: _hand_of("ccce", "side"),  # 差劲
    122: _hand_of("ecce", "out"),  # 爱你
    123: _no,  # NO
    124: _ok,  # OK
}


def draw(face_id: int) -> str:
    """The SVG text of face ``face_id`` (a key of EXPRESSIONS, SPECIAL or OBJECTS)."""
    canvas = Canvas()
    special = SPECIAL.get(face_id) or OBJECTS.get(face_id)
    if special is not None:
        special(canvas)
    else:
        _head(canvas, EXPRESSIONS[face_id])
    return _svg(f"face {face_id}", canvas)


def draw_unknown() -> str:
    """The SVG text of ``unknown.svg``, a puzzled blank face."""
    canvas = Canvas()
    _head(canvas, UNKNOWN)
    return _svg("unknown face", canvas)


def face_ids() -> list[int]:
    """Every face id of the face table, in its order."""
    sys.path.insert(0, str(HERE.parent))
    from qqdesk.core.content import FACE_NAMES

    return list(FACE_NAMES)


def main() -> None:
    EMOTICONS_DIR.mkdir(exist_ok=True)
    ids = face_ids()
    drawn = EXPRESSIONS.keys() | SPECIAL.keys() | OBJECTS.keys()
    missing = [face_id for face_id in ids if face_id not in drawn]
    if missing:
        raise SystemExit(f"no drawing for face ids {missing}; add them to EXPRESSIONS")
    for face_id in ids:
        (EMOTICONS_DIR / f"{face_id}.svg").write_text(draw(face_id), encoding="utf-8")
    (EMOTICONS_DIR / "unknown.svg").write_text(draw_unknown(), encoding="utf-8")
    print(f"wrote {len(ids)} faces and unknown.svg to {EMOTICONS_DIR}")


if __name__ == "__main__":
    main()
