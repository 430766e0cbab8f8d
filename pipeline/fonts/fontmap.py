"""The font mapping of ``pipeline/fonts/fonts.conf`` as fontconfig (and so LibreOffice) sees it.

Standard library only; needs fontconfig's ``fc-match`` and ``fc-list``. See docs/fonts.md.

- ``resolve(name)``: the face a standard font name maps to: (family, style, file).
- ``EXPECTED``: the five names the documents use and the face each must map to.
- ``check()``: ``(ok, message)`` lines for ``make-notices doctor``.
- ``unprintable(text)``: characters that no installed font has. LibreOffice 7.4 silently
  *drops* such a character in a FandolFang (仿宋) run and prints a box in the others.
- ``blank_in_kai(text)``: characters that AR PL UKai (the 楷体 stand-in) maps to an empty
  glyph: they print as a blank, without falling back to another font.

Run ``python -m pipeline.fonts.fontmap [TEXT]`` for a report (exit status 1 on a problem).
"""

from __future__ import annotations

import bisect
import functools
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

FONTS_CONF = Path(__file__).resolve().parent / "fonts.conf"

# standard name -> (family, style) that fonts.conf must give (fc-match's family[0] and style[0])
EXPECTED: dict[str, tuple[str, str]] = {
    "仿宋_GB2312": ("FandolFang", "Regular"),
    "方正小标宋简体": ("Noto Serif CJK SC", "Bold"),
    "宋体": ("Noto Serif CJK SC", "Regular"),
    "黑体": ("Noto Sans CJK SC", "Regular"),
    "楷体_GB2312": ("AR PL UKai CN", "Book"),
}

# AR PL UKai CN maps these to empty outlines (GB 18030 characters that were once in the PUA)
UKAI_EMPTY = frozenset(
    "㖞㘎㤘㧏㧐㧟㩳㭎㱮㳠䁖䅟䌷䎬䏝䓖䙌䙡䜣䜩䞍䥺䥽䦂䦃䦅䦆䦛䦶䦷䲟䲠䲡䲢䲣䴓䴔䴕䴖䴗䴘䴙䶮"
    "\U00020089\U000215d7\U0002298f\U000241fe"
)


def fc_env(conf: Path = FONTS_CONF) -> dict[str, str]:
    return dict(os.environ, FONTCONFIG_FILE=str(conf))


def _run(args: list[str], conf: Path) -> str | None:
    try:
        done = subprocess.run(args, env=fc_env(conf), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def resolve(name: str, conf: Path = FONTS_CONF) -> tuple[str, str, str] | None:
    """(family, style, file) that ``name`` maps to, asked the way LibreOffice asks (lang zh-cn).

    None when fc-match is missing. The family of Noto's Bold/Black faces is plain
    "Noto Serif CJK SC": the style tells them apart.
    """
    escaped = "".join("\\" + c if c in "\\-:,=" else c for c in name)  # fontconfig pattern syntax
    out = _run(["fc-match", "-f", "%{family[0]}|%{style[0]}|%{file}", f"{escaped}:lang=zh-cn"], conf)
    if not out:
        return None
    family, _, rest = out.strip().partition("|")
    style, _, file = rest.partition("|")
    return family, style, file


def aliases(conf: Path = FONTS_CONF) -> dict[str, list[str]]:
    """Every standard name in fonts.conf -> its family chain (first = the face, then fallbacks)."""
    root = ET.parse(conf).getroot()
    chains: dict[str, list[str]] = {}
    for alias in root.iter("alias"):
        name = alias.findtext("family")
        if name:
            chains[name] = [f.text or "" for f in alias.iter("family")][1:]
    for match in root.iter("match"):
        name = match.findtext("test/string")
        edit = match.find("edit[@name='family']")
        if name and edit is not None:
            chains[name] = [s.text or "" for s in edit.iter("string")]
    return chains


def check(conf: Path = FONTS_CONF) -> list[tuple[bool, str]]:
    """One line per standard name: does it map to the expected face?"""
    lines: list[tuple[bool, str]] = []
    for name, (family, style) in EXPECTED.items():
        got = resolve(name, conf)
        if got is None:
            lines.append((False, f"{name}: fc-match is missing (install fontconfig)"))
            continue
        ok = got[0] == family and got[1] == style
        hint = "" if ok else f" — expected {family} {style}: install the fonts (./setup.sh)"
        lines.append((ok, f"{name} → {got[0]} {got[1]} ({got[2]}){hint}"))
    return lines


@functools.lru_cache(maxsize=4)
def _coverage(conf: Path) -> tuple[list[int], list[int]]:
    """Merged code point ranges covered by any installed font (fontconfig's view)."""
    out = _run(["fc-list", "--format", "%{charset}\n"], conf) or ""
    ranges = []
    for token in out.split():
        lo, _, hi = token.partition("-")
        try:
            ranges.append((int(lo, 16), int(hi or lo, 16)))
        except ValueError:
            continue
    ranges.sort()
    starts: list[int] = []
    ends: list[int] = []
    for lo, hi in ranges:
        if ends and lo <= ends[-1] + 1:
            ends[-1] = max(ends[-1], hi)
        else:
            starts.append(lo)
            ends.append(hi)
    return starts, ends


def unprintable(text: str, conf: Path = FONTS_CONF) -> str:
    """The characters of ``text`` that no installed font covers (in order, each once).

    Empty when fc-list is missing (nothing known). Control characters are ignored.
    """
    starts, ends = _coverage(conf)
    if not starts:
        return ""
    seen: dict[str, None] = {}
    for ch in text:
        cp = ord(ch)
        if cp < 0x20 or ch in seen:
            continue
        i = bisect.bisect_right(starts, cp) - 1
        if i < 0 or cp > ends[i]:
            seen[ch] = None
    return "".join(seen)


def blank_in_kai(text: str) -> str:
    """The characters of ``text`` that print blank in AR PL UKai (the 楷体 stand-in)."""
    return "".join(dict.fromkeys(ch for ch in text if ch in UKAI_EMPTY))


def main(argv: list[str]) -> int:
    bad = 0
    for ok, message in check():
        bad += not ok
        print(("ok   " if ok else "FAIL ") + message)
    text = " ".join(argv)
    if text:
        missing = unprintable(text)
        blank = blank_in_kai(text)
        if missing:
            bad += 1
            print("FAIL no installed font has: " + " ".join(f"{c} U+{ord(c):04X}" for c in missing))
        if blank:
            print("warn blank in 楷体 (AR PL UKai): " + " ".join(f"{c} U+{ord(c):04X}" for c in blank))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
