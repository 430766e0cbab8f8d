"""`make-notices doctor`: what this machine has for making the documents."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from . import layout
from .convert import FONTS_CONF, soffice_env, soffice_path


def mapped_font(standard: str) -> str | None:
    """The family fontconfig (with the project's file) gives for a standard font name."""
    env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF))
    try:
        out = subprocess.run(["fc-match", "-f", "%{family[0]}|%{file}", f"{standard}:lang=zh-cn"], env=env,
                             capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.strip() or None


def diagnose(config_path: Path) -> list[tuple[bool, str]]:
    lines: list[tuple[bool, str]] = []
    soffice = soffice_path()
    if soffice:
        try:
            version = subprocess.run([soffice, "--headless", "--version"], env=soffice_env(), capture_output=True, text=True, timeout=120).stdout.strip()
        except (OSError, subprocess.TimeoutExpired) as exc:
            version = f"does not answer ({exc})"
        lines.append((bool(version), f"LibreOffice: {version} ({soffice})"))
    else:
        lines.append((False, "LibreOffice: not installed (run ./setup.sh; --no-pdf works without it)"))
    lines.append((FONTS_CONF.is_file(), f"font mapping: {FONTS_CONF}"))
    expected = {layout.FANGSONG: "Fandol", layout.XIAOBIAOSONG: "Noto Serif CJK", layout.HEITI: "Noto Sans CJK",
                layout.KAITI: "", layout.SONGTI: "Noto Serif CJK"}
    for standard in layout.STANDARD_FONTS:
        found = mapped_font(standard)
        if not found:
            lines.append((False, f"{standard}: fc-match is missing (install fontconfig)"))
            continue
        family, _, file = found.partition("|")
        cjk = any(s in family for s in ("CJK", "Fandol", "WenKai", "UKai", "cwTeX", "AR PL"))
        lines.append((cjk, f"{standard} → {family} ({file})" + ("" if cjk else " — a substitute without Chinese glyphs: install the fonts (./setup.sh)")))
    from .config import load_config
    from .errors import MakeNoticesError
    from .register import Register

    try:
        config = load_config(config_path)
        reg = Register(config.register_url)
        entries = reg.entries()
        where = config.register_url
        lines.append((True, f"register: {where} ({len(entries)} numbers)" if Path(where).exists() else f"register: {where} (not created yet; the first run creates it)"))
    except MakeNoticesError as exc:
        lines.append((False, f"config/register: {exc}"))
    return lines
