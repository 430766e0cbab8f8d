"""The tool's folder in the user's cache (~/.cache/make-notices, XDG_CACHE_HOME honoured), and its
private parts for what the tool loads and runs: compiled template code and its compiled C routine
(~/.cache/make-notices/<name>/).

Loading such a file runs it, so a folder is used only when it is this user's and nobody else may
write to it, as Jinja's own FileSystemBytecodeCache checks its folder: made with mode 0700, and
looked at with lstat (a symbolic link there is not followed, and not used)."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def cache_home() -> Path:
    """~/.cache/make-notices (XDG_CACHE_HOME honoured): the tool's folder in the user's cache, where
    the LibreOffice profiles are kept too."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "make-notices"


def private_cache(name: str) -> Path | None:
    """The folder ~/.cache/make-notices/<name>/, made if missing; None where it cannot be made, is
    not a folder, is not this user's, or others may write to it."""
    folder = cache_home() / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except (OSError, RuntimeError):
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return folder
