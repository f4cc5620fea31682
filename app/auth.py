"""Who may use the app: users and roles from a TOML file of scrypt-hashed passwords.

Standard-library ``hashlib.scrypt`` keeps sign-in free of extra packages and of anything that
reaches the network. The users file is plain TOML so an administrator can review it::

    [users.jbloggs]
    name = "J Bloggs"
    role = "analyst"            # viewer | analyst | supervisor
    password = "scrypt$16384$8$1$<salt>$<hash>"

Make a line with ``python -m app.auth add-user users.toml jbloggs analyst`` (asks for the password).
Roles are ordered: a viewer reads; an analyst also exports and judges; a supervisor also reads
the audit log, overrides a merge refused for a conflict and splits an automatic merge.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import secrets
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ROLES", "User", "hash_password", "verify_password", "load_users", "authenticate", "can",
           "write_users", "demo_users"]

ROLES = ("viewer", "analyst", "supervisor")
# What each permission needs at least.
_NEEDS = {"read": "viewer", "export": "analyst", "judge": "analyst", "audit": "supervisor",
          "supervise": "supervisor"}  # supervise: override a refused merge, split an automatic one
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    """A signed-in person: the login is what the audit log records."""

    login: str
    name: str
    role: str


def hash_password(password: str, salt: bytes | None = None) -> str:
    """An scrypt hash with its parameters and salt, so the cost can be raised later."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a :func:`hash_password` string."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def load_users(path: str | Path | None) -> dict[str, dict[str, str]]:
    """The users in ``path`` (empty when there is no file); unknown roles are refused loudly."""
    if not path or not Path(path).exists():
        return {}
    data = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("users", {})
    for login, entry in data.items():
        if entry.get("role") not in ROLES:
            raise ValueError(f"user {login!r} has unknown role {entry.get('role')!r}; use one of {ROLES}")
    return data


def authenticate(users: Mapping[str, Mapping[str, str]], login: str, password: str) -> User | None:
    """The user if the password matches, else None (same work either way, so no user probing)."""
    entry = users.get(login)
    stored = entry.get("password", "") if entry else hash_password("x", b"0" * 16)
    ok = verify_password(password, stored)
    if not entry or not ok:
        return None
    return User(login, entry.get("name", login), entry["role"])


def can(user: User | None, permission: str) -> bool:
    """True when ``user``'s role reaches what ``permission`` needs."""
    if user is None:
        return False
    return ROLES.index(user.role) >= ROLES.index(_NEEDS[permission])


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_users(path: str | Path, users: Mapping[str, Mapping[str, str]]) -> None:
    """Write a users file (TOML); used by ``add-user`` and by demo mode."""
    lines = []
    for login, entry in users.items():
        lines.append(f"[users.{_toml_str(login)}]")
        lines.extend(f"{key} = {_toml_str(str(entry[key]))}" for key in ("name", "role", "password") if key in entry)
        lines.append("")
    Path(path).write_text("\n".join(lines), encoding="utf-8")


def demo_users(password: str) -> dict[str, dict[str, str]]:
    """The one demo account (a supervisor, so every page can be shown); only demo mode makes it."""
    return {"demo": {"name": "Demo analyst", "role": "supervisor", "password": hash_password(password)}}


def _main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] != "add-user" or argv[3] not in ROLES:
        print(f"usage: python -m app.auth add-user USERS.toml LOGIN {{{'|'.join(ROLES)}}}", file=sys.stderr)
        return 2
    path, login, role = Path(argv[1]), argv[2], argv[3]
    users = load_users(path)
    password = getpass.getpass(f"password for {login}: ")
    users[login] = {"name": users.get(login, {}).get("name", login), "role": role,
                    "password": hash_password(password)}
    write_users(path, users)
    print(f"{login} ({role}) written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
