"""assetgraph's Streamlit app: the entry script (sign-in gate, case chooser, page menu).

Run it with ``assetgraph app`` (which sets the store and the users file); by hand:
``streamlit run app/streamlit_app.py -- --users users.toml``. Arguments after ``--``:
``--users FILE`` (TOML of scrypt-hashed passwords, see :mod:`app.auth`) and ``--demo``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # streamlit puts app/ on the path, the packages live one up
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from app import ui  # noqa: E402
from app.auth import authenticate, can, load_users  # noqa: E402
from app.navigation import APP_DIR, available_pages  # noqa: E402
from graph.model import AuditEvent  # noqa: E402


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--users", default=str(APP_DIR / "config" / "users.toml"))
    parser.add_argument("--demo", action="store_true")
    return parser.parse_known_args(sys.argv[1:])[0]


def sign_in() -> None:
    """The sign-in form; the only page an anonymous visitor can reach."""
    opts = _options()
    st.title("assetgraph")
    st.write("Hidden-asset tracing under the Proceeds of Crime Act 2002. Sign in to continue.")
    if opts.demo:
        st.info("Demo mode: the invented case OP-DEMO-01 is loaded; the demo credentials were printed "
                "where the app was started.")
    users = load_users(opts.users)
    if not users:
        st.error(f"No users are configured ({opts.users}). Add one with "
                 "`python -m app.auth add-user FILE LOGIN ROLE`.")
    with st.form("sign-in"):
        login = st.text_input("User name", key="login")
        password = st.text_input("Password", type="password", key="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        user = authenticate(users, login.strip(), password)
        ui.get_store().log(AuditEvent(login.strip() or "?", "sign-in" if user else "sign-in-failed", {}))
        if user is None:
            st.error("Unknown user or wrong password.")
        else:
            st.session_state["user"] = user
            st.rerun()


def home() -> None:
    """What is in the store and which case is open."""
    user = ui.require_user()
    st.title("assetgraph")
    ui.marking_banner()
    st.write(f"Signed in as **{user.name}** ({user.role}).")
    cases = ui.case_ids()
    if not cases:
        st.warning("The store holds no case yet: load a case bundle with `assetgraph load`.")
        return
    st.subheader("Cases")
    for case_id in cases:
        ent = ui.case_entity(case_id)
        props = ent.props if ent else {}
        st.markdown(f"- **{case_id}** — proceedings started {props.get('proceedings_started', '?')}, "
                    f"subjects {', '.join(props.get('subjects') or [])}")
    counts = ui.get_store().counts()
    st.subheader("Records in the store")
    st.write(", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))


def _sidebar() -> None:
    user = ui.current_user()
    assert user is not None
    with st.sidebar:
        st.markdown(f"**{user.name}** · {user.role}")
        cases = ui.case_ids()
        if cases:
            current = ui.current_case()
            chosen = st.selectbox("Case", cases, index=cases.index(current) if current in cases else 0,
                                  key="case_chooser")
            if chosen != st.session_state.get("case_id"):
                st.session_state["case_id"] = chosen
                ui.audit("open-case", {"case_id": chosen})
        if st.button("Sign out"):
            ui.audit("sign-out", {})
            st.session_state.pop("user", None)
            st.rerun()


def _favicon() -> object:
    """A favicon drawn here: Streamlit fetches ``:material/...:`` and emoji favicons from the web."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((2, 2, 30, 30), fill=(31, 119, 180, 255))
    draw.line((9, 22, 16, 10, 23, 22), fill=(255, 255, 255, 255), width=3)
    return image


def main() -> None:
    st.set_page_config(page_title="assetgraph", page_icon=_favicon(), layout="wide")
    user = ui.current_user()
    if user is None:
        st.navigation([st.Page(sign_in, title="Sign in", icon=":material/login:")]).run()
        return
    _sidebar()
    pages = [st.Page(home, title="Home", icon=":material/home:", default=True)]
    pages += [st.Page(str(APP_DIR / path), title=title, icon=icon)
              for path, title, icon, permission in available_pages() if can(user, permission)]
    st.navigation(pages).run()


main()
