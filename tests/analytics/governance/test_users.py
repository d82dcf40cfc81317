"""The local user file: argon2id hashes (checked with argon2-cffi itself), roles, atomic owner-only
writes, demo users, and the `scaleboard users` command."""

from __future__ import annotations

import io
import os
import stat
import tomllib

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from analytics.cli import main as cli
from analytics.errors import InputError
from analytics.governance import users


@pytest.fixture
def path(tmp_path):
    return tmp_path / "conf" / "users.toml"


def test_add_stores_a_salted_argon2id_hash_not_the_password(path):
    users.add_user(path, "alice", "steward", "correct horse battery")
    users.add_user(path, "bob", "steward", "correct horse battery")
    text = path.read_text()
    assert "correct horse" not in text
    doc = tomllib.loads(text)["users"]
    h1, h2 = doc["alice"]["password_hash"], doc["bob"]["password_hash"]
    assert h1.startswith("$argon2id$") and h1 != h2  # same password, different salts
    PasswordHasher().verify(h1, "correct horse battery")  # independent oracle: the library itself
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(h1, "wrong horse battery")


def test_verify(path):
    users.add_user(path, "alice", "admin", "correct horse battery")
    assert users.verify(path, "alice", "correct horse battery").role == "admin"
    assert users.verify(path, "alice", "Correct horse battery") is None
    assert users.verify(path, "mallory", "correct horse battery") is None
    assert users.verify(path, "alice", "x" * 5000) is None
    assert users.verify(path, None, "x") is None  # type: ignore[arg-type]


def test_file_is_owner_only_and_no_temp_files_left(path):
    users.add_user(path, "alice", "admin", "correct horse battery")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["users.toml"]


@pytest.mark.parametrize(("name", "role", "password", "msg"), [
    ("bad name", "admin", "long enough pw", "not allowed"),
    ('x"]\n[users.evil', "admin", "long enough pw", "not allowed"),
    ("ok", "root", "long enough pw", "Unknown role"),
    ("ok", "admin", "short", "at least 10"),
])
def test_bad_input_is_rejected_and_file_unchanged(path, name, role, password, msg):
    users.add_user(path, "alice", "admin", "correct horse battery")
    before = path.read_bytes()
    with pytest.raises(InputError, match=msg):
        users.add_user(path, name, role, password)
    assert path.read_bytes() == before


def test_duplicate_replace_and_remove(path):
    users.add_user(path, "alice", "admin", "correct horse battery")
    with pytest.raises(InputError, match="already exists"):
        users.add_user(path, "alice", "executive", "another password")
    users.add_user(path, "alice", "executive", "another password", replace=True)
    assert users.verify(path, "alice", "another password").role == "executive"
    users.remove_user(path, "alice")
    assert users.list_users(path) == []
    with pytest.raises(InputError, match="no user"):
        users.remove_user(path, "alice")


def test_damaged_entries_grant_nothing(path):
    path.parent.mkdir(parents=True)
    path.write_text('[users.x]\nrole = "superuser"\npassword_hash = "abc"\n[users.y]\nrole = "admin"\n')
    assert users.load(path) == {}
    path.write_text("not = [toml")
    with pytest.raises(InputError, match="not valid TOML"):
        users.load(path)


def test_ensure_demo_users_creates_one_per_role_once(path):
    created = users.ensure_demo_users(path)
    assert sorted(r for _, r, _ in created) == sorted(users.ROLES)
    for name, role, password in created:
        assert users.verify(path, name, password).role == role
    assert len({p for _, _, p in created}) == len(created)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert users.ensure_demo_users(path) == []


def test_cli_add_with_password_stdin_list_remove(path, monkeypatch, capsys, lake):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake.root))
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-password\n"))
    assert cli(["users", "--file", str(path), "add", "carol", "--role", "product_manager", "--password-stdin",
                "--business-unit", "Retail"]) == 0
    assert users.verify(path, "carol", "s3cret-password").business_units == ("Retail",)
    assert cli(["users", "--file", str(path), "list"]) == 0
    assert "carol" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli(["users", "--file", str(path), "add", "dave", "--role", "admin", "--password-stdin"]) == 2
    assert "at least 10" in capsys.readouterr().err
    assert cli(["users", "--file", str(path), "remove", "carol"]) == 0
    assert users.list_users(path) == []
    from analytics.governance import audit

    log = audit.recent(lake.con())
    assert log.select("action", "target").rows() == [("users.remove", "carol"), ("users.add", "carol")]


def test_cli_demo_prints_credentials_once(path, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "absent"))
    assert cli(["users", "--file", str(path), "demo"]) == 0
    out = capsys.readouterr().out
    assert "admin" in out and "executive" in out
    assert cli(["users", "--file", str(path), "demo"]) == 0
    assert "already exist" in capsys.readouterr().out


def test_users_file_setting(monkeypatch, tmp_path):
    from analytics.settings import PROJECT_ROOT, load_settings

    assert load_settings(env={}).users_file == PROJECT_ROOT / ".streamlit" / "users.toml"
    assert load_settings(env={"SCALEBOARD_USERS_FILE": str(tmp_path / "u.toml")}).users_file == tmp_path / "u.toml"
