"""Sign-in: hashed passwords, roles, the entry script's gate, the ``assetgraph app`` command line."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from app_support import APP, make_demo_db
from streamlit.testing.v1 import AppTest

from app.auth import User, authenticate, can, demo_users, hash_password, load_users, verify_password, write_users
from app.commands.app_cmd import store_environment, streamlit_command
from app.ui import MARKING, csv_bytes
from graph.settings import StoreTarget, store_target_from_env
from graph.sqlite_store import SQLiteStore


def test_password_hash_round_trip_and_salt() -> None:
    one, two = hash_password("correct horse"), hash_password("correct horse")
    assert one != two and one.startswith("scrypt$")
    assert verify_password("correct horse", one) and not verify_password("wrong", one)
    assert not verify_password("x", "not-a-hash")


def test_roles_are_ordered() -> None:
    viewer, analyst, boss = (User("v", "V", "viewer"), User("a", "A", "analyst"), User("s", "S", "supervisor"))
    assert can(viewer, "read") and not can(viewer, "export") and not can(viewer, "judge")
    assert can(analyst, "export") and can(analyst, "judge") and not can(analyst, "audit")
    assert can(boss, "audit") and not can(None, "read")


def test_users_file_round_trip_and_bad_role(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    write_users(path, {"jb": {"name": 'J "B"', "role": "analyst", "password": hash_password("pw")}})
    users = load_users(path)
    assert authenticate(users, "jb", "pw") == User("jb", 'J "B"', "analyst")
    assert authenticate(users, "jb", "nope") is None and authenticate(users, "nobody", "pw") is None
    path.write_text('[users.x]\nrole = "admin"\npassword = "p"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown role"):
        load_users(path)
    assert load_users(tmp_path / "missing.toml") == {}


def test_exports_carry_the_handling_marking() -> None:
    import pandas as pd

    lines = csv_bytes(pd.DataFrame([{"a": 1}])).decode().splitlines()
    assert lines[0] == MARKING == "OFFICIAL-SENSITIVE" and lines[1] == "a"


def test_app_command_binds_loopback_without_telemetry(tmp_path: Path) -> None:
    cmd = streamlit_command(8765, "127.0.0.1", tmp_path / "u.toml", demo=True)
    joined = " ".join(cmd)
    assert "--server.address 127.0.0.1" in joined and "--browser.gatherUsageStats false" in joined
    assert cmd[-3:] == ["--users", str(tmp_path / "u.toml"), "--demo"]
    env = store_environment(StoreTarget(db=str(tmp_path / "x.db")))
    assert store_target_from_env(env).db == str(tmp_path / "x.db")


@pytest.fixture
def signed_out_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    db = make_demo_db(tmp_path / "demo.db", tmp_path / "q")
    users = tmp_path / "users.toml"
    write_users(users, {**demo_users("s3cret"), "val": {"name": "Val", "role": "viewer",
                                                         "password": hash_password("viewpw")}})
    monkeypatch.setenv("ASSETGRAPH_DB", str(db))
    monkeypatch.setattr(sys, "argv", ["streamlit_app.py", "--users", str(users), "--demo"])
    return AppTest.from_file(str(APP / "streamlit_app.py"), default_timeout=60)


def test_sign_in_gate_then_pages(signed_out_app: AppTest, tmp_path: Path) -> None:
    at = signed_out_app.run()
    assert any("Demo mode" in i.value for i in at.info)
    at.text_input(key="login").input("demo")
    at.text_input(key="password").input("wrong")
    at.button[0].click().run()
    assert any("wrong password" in e.value for e in at.error)
    assert "user" not in at.session_state
    at.text_input(key="password").input("s3cret")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["user"].role == "supervisor"
    assert any("Signed in as" in m.value for m in at.markdown)
    at.switch_page(str(APP / "pages" / "gifts.py")).run()
    assert "T13" in set(at.dataframe[0].value["transfer"])
    with SQLiteStore(tmp_path / "demo.db") as store:
        actions = [(e.user, e.action) for e in store.audit_log()]
    assert ("demo", "sign-in-failed") in actions and ("demo", "sign-in") in actions


def test_sign_out(signed_out_app: AppTest) -> None:
    at = signed_out_app
    at.session_state["user"] = User("val", "Val", "viewer")
    at.run()
    at.sidebar.button[0].click().run()
    assert "user" not in at.session_state
    assert at.text_input(key="login") is not None


def test_copy_of_demo_is_isolated(tmp_path: Path) -> None:
    """make_demo_db twice gives two stores with the same counts (the fixture the page tests copy)."""
    a = make_demo_db(tmp_path / "a.db", tmp_path / "q")
    shutil.copy(a, tmp_path / "b.db")
    with SQLiteStore(a) as one, SQLiteStore(tmp_path / "b.db") as two:
        assert one.counts() == two.counts() and one.counts()["TRANSFER"] == 19
