"""`make run` prints the demo sign-in credentials.

On the first run it creates one local user per role (random passwords, argon2 hashes in the user
file) and keeps a copy of the passwords in a git-ignored, owner-only file next to it so that later
runs can show them again. Delete both files to rotate; in production use OIDC or
`scaleboard users add` and no demo users at all (set SCALEBOARD_USERS_FILE and create it first).
"""

from __future__ import annotations

import os
from pathlib import Path

from analytics.governance import users
from analytics.settings import load_settings


def credentials_file(users_file: Path) -> Path:
    return users_file.with_name("demo-credentials.txt")


def main() -> None:
    users_file = load_settings().users_file
    if (users_file.parent / "secrets.toml").exists() and "[auth]" in (users_file.parent / "secrets.toml").read_text():
        print("Sign-in: OpenID Connect (from .streamlit/secrets.toml).")
        return
    created = users.ensure_demo_users(users_file)
    creds = credentials_file(users_file)
    if created:
        text = "\n".join(f"{role:<16} user: {name:<16} password: {pw}" for name, role, pw in created) + "\n"
        fd = os.open(creds, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
    if creds.exists():
        print("\nDemo sign-in (one user per role; stored in " + str(creds) + ", delete it with "
              + str(users_file.name) + " to rotate):\n" + creds.read_text())
    else:
        print(f"\nSign in with the users in {users_file} (add one: .venv/bin/scaleboard users add NAME --role admin)")


if __name__ == "__main__":
    main()
