"""Random secrets for URLs and cookies, and the one-way hashes stored in their place.

Invitation tokens and respondents' resume secrets are kept only as a SHA-256 digest, so a copy
of the database does not open a single survey. An invitation token is made from the link's
random public id with a key derived from the app's SECRET_KEY (`link_token`), so the organiser's
pages can show and print a link again without it being stored anywhere: the database alone, or
a backup of it, still opens nothing; the database together with the secret key does (as that
key already signs every session). Public ids are random too, so
no URL reveals how many objects exist or invites guessing the next one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")  # what new_public_id can make, and no more
TOKEN_BYTES = 24  # 192 bits: invitation tokens and resume secrets
PUBLIC_ID_BYTES = 12  # 96 bits: ids in URLs, not secret but not guessable either


def new_token() -> str:
    """A fresh URL-safe secret of TOKEN_BYTES random bytes."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_public_id() -> str:
    """A fresh non-sequential id for URLs, never starting with "-": the command line takes ids
    as arguments (`assessment delete ID`), and read one such as "-vX3..." as an option."""
    while True:
        made = secrets.token_urlsafe(PUBLIC_ID_BYTES)
        if not made.startswith("-"):
            return made


def is_public_id(text: str) -> bool:
    """Whether `text` could be a public id: checked before any database look-up."""
    return _PUBLIC_ID.fullmatch(text) is not None


def hash_token(token: str) -> str:
    """The hex SHA-256 digest stored instead of a token (tokens are random, so no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()



# Resume codes: short enough to copy by hand from a phone to a desktop, from an alphabet without
# the look-alikes 0/O, 1/I/L and U/V; 30**10 is about 2**49, and tries are throttled.
RESUME_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RESUME_CODE_LENGTH = 10


def new_resume_code() -> str:
    """A fresh resume code of RESUME_CODE_LENGTH characters from RESUME_ALPHABET."""
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))


def normalise_resume_code(text: str | None) -> str | None:
    """A typed resume code in its stored form (upper case, without spaces and dashes), or None
    when it cannot be one."""
    code = re.sub(r"[\s-]", "", text or "").upper()[:RESUME_CODE_LENGTH + 1]
    if len(code) != RESUME_CODE_LENGTH or any(c not in RESUME_ALPHABET for c in code):
        return None
    return code


def show_resume_code(code: str) -> str:
    """A resume code as shown to people: two groups of five, easier to copy."""
    return f"{code[:5]}-{code[5:]}"
def link_key(secret_key: str | bytes) -> bytes:
    """The key invitation tokens are made with, derived from the app's SECRET_KEY for this one
    purpose (so the same key never signs cookies and links alike)."""
    secret = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, b"maw-readiness invitation links v1", hashlib.sha256).digest()


def link_token(key: bytes, public_id: str) -> str:
    """The invitation token of the link with this public id: TOKEN_BYTES of HMAC-SHA256, URL-safe
    like `new_token`. Whoever holds `key` can make it again; nobody else can guess it."""
    digest = hmac.new(key, public_id.encode("utf-8"), hashlib.sha256).digest()[:TOKEN_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# Join codes: the short address printed beside an invitation link (HOST/j, then ABCD-EFGH), for
# a practitioner who has the printed page and no camera. Made from the link's public id with the
# link key, like the token, so the links page and the pack can show it again; 30**8 is about
# 2**39, and wrong tries are throttled per address.
JOIN_CODE_LENGTH = 8


def join_code(key: bytes, public_id: str) -> str:
    """The join code of the link with this public id: JOIN_CODE_LENGTH characters of
    RESUME_ALPHABET from HMAC-SHA256 (a domain of its own: public ids hold no NUL)."""
    digest = hmac.new(key, b"join\0" + public_id.encode("utf-8"), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(JOIN_CODE_LENGTH):
        number, index = divmod(number, len(RESUME_ALPHABET))
        chars.append(RESUME_ALPHABET[index])
    return "".join(chars)


def normalise_join_code(text: str | None) -> str | None:
    """A typed join code in its stored form (upper case, no spaces or dashes), or None when it
    cannot be one."""
    code = re.sub(r"[\s-]", "", (text or "")[:64]).upper()
    if len(code) != JOIN_CODE_LENGTH or any(c not in RESUME_ALPHABET for c in code):
        return None
    return code


def show_join_code(code: str) -> str:
    """A join code as printed: two groups of four (ABCD-EFGH)."""
    half = JOIN_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"
