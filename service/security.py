"""API tokens and pseudonyms.

A token is 32 random bytes, shown once; the store keeps its SHA-256 only.
A fast hash is enough here (unlike for passwords) because the token has 256
bits of entropy: there is nothing to guess.

Pseudonyms are keyed hashes (HMAC-SHA256) of a candidate's internal key with
a secret made at first start and kept in the store. Without the key an
export cannot be joined back to a caseload; with it the service gives the
same person the same pseudonym in exports, placements and the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

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


class Pseudonymiser:
    """Keyed, stable pseudonyms for candidates."""

    def __init__(self, key: str) -> None:
        self._key = bytes.fromhex(key)

    def candidate(self, candidate_pk: int) -> str:
        digest = hmac.new(self._key, f"candidate:{candidate_pk}".encode(), hashlib.sha256)
        return PSEUDONYM_PREFIX + digest.hexdigest()[:24]
