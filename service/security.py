"""API tokens and pseudonyms.

A token is 32 random bytes, shown once; the store keeps its SHA-256 only.
A fast hash is enough here (unlike for passwords) because the token has 256
bits of entropy: there is nothing to guess.

Pseudonyms are keyed hashes (HMAC-SHA256) of a candidate's pseudonym seed
(random, made with the profile and never reused, unlike a row key) with a
key made at first start and kept in a file apart from the store (0600 in
the data folder). A copy of the store alone (a backup, a dump) cannot
recompute pseudonyms, so it cannot join an export back to a caseload; with
the key the service gives the same person the same pseudonym in exports,
placements and the audit log.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

TOKEN_PREFIX = "ipsm_"
PSEUDONYM_PREFIX = "p-"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison, so response timing says nothing about the stored hash."""
    return hmac.compare_digest(hash_token(token), stored_hash)


def new_secret_key() -> str:
    return secrets.token_hex(32)


class PseudonymKeyError(RuntimeError):
    """The pseudonym key file is unreadable or malformed."""


def write_private_file(path: Path, text: str) -> None:
    """Create `path` readable by its owner only (0600), in a folder only they can enter."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="ascii") as stream:
        stream.write(text)


def load_or_make_key(path: Path, legacy_key: str | None = None) -> str:
    """The key in `path`, made there first (from `legacy_key` if given, else fresh)."""
    if not path.exists():
        # Another process may make it meanwhile; then read theirs.
        with contextlib.suppress(FileExistsError):
            write_private_file(path, (legacy_key or new_secret_key()) + "\n")
    key = path.read_text(encoding="ascii").strip()
    try:
        if len(bytes.fromhex(key)) < 32:
            raise ValueError
    except ValueError:
        raise PseudonymKeyError(
            f"the pseudonym key file {path} does not hold a 64-digit hex key"
        ) from None
    return key


class Pseudonymiser:
    """Keyed, stable pseudonyms for candidates, from their never-reused seed."""

    def __init__(self, key: str) -> None:
        self._key = bytes.fromhex(key)

    def candidate(self, pseudonym_seed: str) -> str:
        # Seeds of profiles from before migration 0003 are "candidate:<pk>", which keeps
        # their pseudonyms as they were.
        digest = hmac.new(self._key, pseudonym_seed.encode(), hashlib.sha256)
        return PSEUDONYM_PREFIX + digest.hexdigest()[:24]
