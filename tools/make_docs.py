"""Regenerate docs/templates.md from the code (the variables each template may use).

    .venv/bin/python tools/make_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import load_config  # noqa: E402
from pipeline.documents.examples import example_contexts  # noqa: E402
from pipeline.documents.templates import FILTER_DOCS, variables_guide  # noqa: E402

if __name__ == "__main__":
    text = variables_guide(example_contexts(load_config(ROOT / "config.yaml")), FILTER_DOCS)
    (ROOT / "docs" / "templates.md").write_text(text, encoding="utf-8")
    print("wrote docs/templates.md")
