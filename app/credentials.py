"""`make run` prints the demo sign-in credentials once, when it creates them.

On the first run it creates one local user per role (random passwords, argon2 hashes in the user
file), prints the passwords and keeps a copy in a git-ignored, owner-only file next to it. Later
runs only say where that copy is: a terminal log or a shared screen of a routine start shows no
password. Delete both files to rotate; in production use OIDC or
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
        print("\nDemo sign-in, shown this once (one user per role; a copy is in " + str(creds)
              + ", delete it with " + str(users_file.name) + " to rotate):\n" + text)
    elif creds.exists():
        print(f"\nDemo sign-in: the passwords printed when the demo users were created are in {creds}.")
    else:
        print(f"\nSign in with the users in {users_file} (add one: .venv/bin/scaleboard users add NAME --role admin)")


if __name__ == "__main__":
    main()
