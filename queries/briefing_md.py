"""Markdown rendering of a briefing section model, through the Jinja2 template ``templates/briefing.md.j2``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

__all__ = ["render_markdown", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _md(value: object) -> str:
    """Table-safe text: pipes escaped, line breaks folded."""
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(model: dict[str, Any], base: Path) -> str:
    """The pack as Markdown; images are linked relative to ``base`` (the .md file's folder)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                      keep_trailing_newline=True)
    env.filters["md"] = _md
    env.filters["relpath"] = lambda p: os.path.relpath(p, base)
    return env.get_template("briefing.md.j2").render(model=model)
