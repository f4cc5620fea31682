"""Briefing packs for the app: build the model once, preview it, and make each format on demand.

The Briefing page shows a preview on every rerun but makes a PDF (about half a second) only when
someone clicks to download it, so the model is built here once and kept with its chart images as
*bytes* (the temporary folder the charts were drawn in is gone by the time of the click). Each
download then renders the kept model through ``queries.briefing.render`` in a fresh temporary
folder and is written to the audit log at that moment, with the user and store bound when the
button was drawn (the download runs outside the page script, where the session is not at hand).

Nothing here computes law: the model comes from ``queries.briefing``.
"""

from __future__ import annotations

import base64
import copy
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from app.auth import User, can
from graph.errors import NotAllowed, RuleNotApplicable
from graph.model import AuditEvent
from graph.settings import MARKING, Settings
from graph.store import Store
from queries.briefing import FORMATS, case_brief_model, render, tasking_model
from queries.revisit import last_sweep

__all__ = ["FORMATS", "MIME", "Pack", "case_pack", "tasking_pack", "preview_markdown", "pack_bytes", "file_name",
           "deferred_download"]

MIME = {".pdf": "application/pdf", ".md": "text/markdown",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

# A pack: the section model (image blocks name a key of ``images``) and the images' PNG bytes.
Pack = tuple[dict[str, Any], dict[str, bytes]]


def _image_blocks(model: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in model.get("sections", []):
        for block in section.get("blocks", []):
            if block.get("type") == "image":
                yield block


def _keep_images(model: dict[str, Any]) -> Pack:
    """Read every chart the model points at into memory; the blocks then name the image, not a path."""
    images: dict[str, bytes] = {}
    for block in _image_blocks(model):
        path = Path(block["path"])
        if path.exists():
            images[path.name] = path.read_bytes()
            block["path"] = path.name
    return model, images


def case_pack(store: Store, case_id: str, author: str, settings: Settings | None = None,
              on: date | str | None = None) -> Pack:
    """One case's pack (``queries.briefing.case_brief_model``) with its network chart kept as bytes.

    Raises
    ------
    RuleNotApplicable
        When the case is not in the store or there is nothing to brief on.
    """
    with tempfile.TemporaryDirectory(prefix="assetgraph-brief-") as tmp:
        model = case_brief_model(store, case_id, settings, author, on, Path(tmp) / "chart.png")
        return _keep_images(model)


def tasking_pack(store: Store, top: int, author: str, settings: Settings | None = None,
                 on: date | str | None = None) -> Pack:
    """The top-N tasking-meeting pack of the *last recorded* sweep.

    Raises
    ------
    RuleNotApplicable
        When no sweep is recorded: the page must not run (and record) one for a viewer; a sweep
        is run on the Revisit page by an analyst.
    """
    if last_sweep(store) is None:
        raise RuleNotApplicable("no revisit sweep is recorded yet: run one on the Revisit page first")
    with tempfile.TemporaryDirectory(prefix="assetgraph-tasking-") as tmp:
        model = tasking_model(store, top, settings, author, on, Path(tmp) / "charts")
        return _keep_images(model)


def _materialise(pack: Pack, folder: Path) -> dict[str, Any]:
    """A copy of the model whose image blocks point at the images written into ``folder``."""
    model, images = copy.deepcopy(pack[0]), pack[1]
    for block in _image_blocks(model):
        name = Path(block["path"]).name
        target = folder / name
        if name in images:
            target.write_bytes(images[name])
        block["path"] = str(target)
    return model


def pack_bytes(pack: Pack, fmt: str, stem: str = "briefing") -> bytes:
    """The pack rendered as ``fmt`` (.pdf, .docx, .md). A Markdown download is a single file, so
    its charts are embedded as ``data:`` URIs rather than linked to PNGs the user never gets."""
    fmt = fmt if fmt.startswith(".") else f".{fmt}"
    with tempfile.TemporaryDirectory(prefix="assetgraph-render-") as tmp:
        folder = Path(tmp)
        out = render(_materialise(pack, folder), folder / f"{stem}{fmt}")
        data = out.read_bytes()
    if fmt == ".md":
        text = data.decode("utf-8")
        for name, png in pack[1].items():
            text = text.replace(f"]({name})", f"](data:image/png;base64,{base64.b64encode(png).decode('ascii')})")
        data = text.encode("utf-8")
    return data


def preview_markdown(pack: Pack) -> str:
    """The Markdown of the pack for ``st.markdown``; the charts are left out (the page shows them
    with ``st.image``), so no image link points anywhere."""
    model = copy.deepcopy(pack[0])
    for section in model.get("sections", []):
        section["blocks"] = [b if b.get("type") != "image" else
                             {"type": "para", "text": f"*(Chart: {b.get('caption', '')} — shown below.)*"}
                             for b in section.get("blocks", [])]
    with tempfile.TemporaryDirectory(prefix="assetgraph-preview-") as tmp:
        return render(model, Path(tmp) / "preview.md").read_text(encoding="utf-8")


def file_name(subject: str, fmt: str) -> str:
    """``briefing_OP-DEMO-01.pdf``: a safe file name for the download."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in subject)
    return f"briefing_{safe}{fmt}"


def deferred_download(store: Store, user: User | None, pack: Pack, fmt: str, detail: dict[str, Any],
                      stem: str = "briefing") -> Callable[[], bytes]:
    """The bytes of one format, made when the user clicks, after the export is audited.

    ``detail`` says what is exported (``case_id`` or ``top``); the audit entry is
    ``export`` with ``kind`` briefing, the format and the marking.

    Raises
    ------
    NotAllowed
        When ``user`` may not export (the page draws no button for viewers; this is the backstop).
    """
    if not can(user, "export"):
        raise NotAllowed(f"role {user.role if user else 'anonymous'} may not export a briefing pack")
    login = user.login if user else "anonymous"

    def make() -> bytes:
        store.log(AuditEvent(login, "export", {"kind": "briefing", "format": fmt.lstrip("."), **detail,
                                               "marking": MARKING}))
        return pack_bytes(pack, fmt, stem)

    return make
