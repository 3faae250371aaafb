"""Passwords hashed with Argon2id (argon2-cffi's defaults: RFC 9106's second choice)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from declass.errors import DeclassError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # hashing a megabyte is a way to make a server busy

_HASHER = PasswordHasher()
# Verified against when the account does not exist, so that a wrong name costs as long
# as a wrong password and names cannot be found by timing.
_DUMMY = _HASHER.hash("declass: no such account")


class WeakPassword(DeclassError):
    pass


def check_password(password: str, name: str = "") -> None:
    """Refuse passwords too short, too long, or that are the account's name."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password may have at most {MAX_LENGTH} characters")
    if name and name.casefold() in password.casefold():
        raise WeakPassword("a password may not contain the account's name")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches the `stored` hash (None: no account; still as slow)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with weaker settings than today's (rehash at sign-in)."""
    return _HASHER.check_needs_rehash(stored)
