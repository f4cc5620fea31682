"""WAL: the app keeps reading while an ingest writes, and never sees half a batch."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from graph.sqlite_store import SQLiteStore

WRITER = textwrap.dedent("""
    import sys
    from graph.model import Entity, Provenance
    from graph.sqlite_store import SQLiteStore
    st = SQLiteStore(sys.argv[1])
    rows = (Entity(f"W/{i}", "Person", {"name": f"Person {i}"}, (Provenance("W", "w.csv", i),), str(i), "W")
            for i in range(int(sys.argv[2])))
    st.upsert_entities(rows, batch_size=500)
    st.close()
""")


def test_reader_works_while_writer_loads(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    SQLiteStore(db).close()
    total = 30_000
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(total)],
                              cwd=Path(__file__).resolve().parents[2])
    reader = SQLiteStore(db)
    seen: list[int] = []
    try:
        while writer.poll() is None:
            seen.append(reader.counts().get("Person", 0))
            reader.candidates("person 12")
            time.sleep(0.01)
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0
    seen.append(reader.counts()["Person"])
    assert seen[-1] == total
    assert seen == sorted(seen), "counts only grow"
    assert all(n % 500 == 0 for n in seen), "a batch is visible whole or not at all"
    assert len(set(seen)) > 2, "the reader saw the load in progress"
    reader.close()
