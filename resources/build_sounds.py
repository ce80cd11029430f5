"""Synthesizes ``sounds/message.wav``, the new-message chime, with nothing but the stdlib.

Run ``python resources/build_sounds.py`` and commit the file it writes. The chime is
two soft bell-like tones a fourth apart (G5 then C6), each a sine with a quiet
octave partial, a short attack so it does not click, and an exponential decay;
16-bit mono at 22050 Hz, under half a second.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

SOUNDS_DIR = Path(__file__).resolve().parent / "sounds"

RATE = 22050
DURATION = 0.45  # seconds
PEAK = 0.42  # of full scale: a chime, not an alarm
#: (start in seconds, frequency in Hz, loudness) of each tone.
TONES = ((0.0, 783.99, 1.0), (0.11, 1046.50, 0.85))
ATTACK = 0.006  # seconds
DECAY = 9.0  # per second: the tone falls to 1/e in about 0.11 s


def tone(t: float, start: float, frequency: float) -> float:
    """One bell-like tone at time ``t``; silent before ``start``."""
    age = t - start
    if age < 0:
        return 0.0
    envelope = min(1.0, age / ATTACK) * math.exp(-DECAY * age)
    phase = 2 * math.pi * frequency * age
    return envelope * (math.sin(phase) + 0.18 * math.sin(2 * phase))


def samples() -> list[float]:
    """The chime, -1..1, faded out over its last 40 ms so that it ends in silence."""
    count = int(RATE * DURATION)
    fade = int(RATE * 0.04)
    out = []
    for i in range(count):
        t = i / RATE
        value = sum(loud * tone(t, start, freq) for start, freq, loud in TONES)
        if i >= count - fade:
            value *= (count - i) / fade
        out.append(value)
    top = max(abs(v) for v in out)
    return [v / top * PEAK for v in out]


def write(path: Path) -> None:
    frames = b"".join(struct.pack("<h", round(v * 32767)) for v in samples())
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(frames)


def main() -> None:
    SOUNDS_DIR.mkdir(exist_ok=True)
    path = SOUNDS_DIR / "message.wav"
    write(path)
    print(f"{path.stat().st_size:>8}  {path.name}")


if __name__ == "__main__":
    main()
