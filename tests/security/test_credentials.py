"""`make run` prints the demo passwords once, when it creates them; later starts name only the file."""

from __future__ import annotations

import re
import stat

from app import credentials


def test_passwords_are_printed_once_on_creation(tmp_path, monkeypatch, capsys):
    users_file = tmp_path / "users.toml"
    monkeypatch.setenv("SCALEBOARD_USERS_FILE", str(users_file))
    credentials.main()
    first = capsys.readouterr().out
    passwords = re.findall(r"password: (\S+)", first)
    assert len(passwords) == 5 and "shown this once" in first
    creds = credentials.credentials_file(users_file)
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600

    credentials.main()
    second = capsys.readouterr().out
    assert str(creds) in second
    assert not any(pw in second for pw in passwords), second
