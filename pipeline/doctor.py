"""`make-notices doctor`: what this machine has for making the documents."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .output.convert import FONTS_CONF, soffice_env, soffice_path
from .fonts import fontmap


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
    lines.extend(fontmap.check())
    from .config import load_config
    from .errors import MakeNoticesError
    from .register.store import open_register

    try:
        config = load_config(config_path)
        reg = open_register(config.register_url)
        entries = reg.entries()
        where = config.register_url
        lines.append((True, f"register: {where} ({len(entries)} numbers)" if reg.exists() else f"register: {where} (not created yet; the first run creates it)"))
    except MakeNoticesError as exc:
        lines.append((False, f"config/register: {exc}"))
    return lines
