"""Secrets at rest: argon2 hashes, key format, session and CSRF tokens."""

from __future__ import annotations

import pytest

from kambot.auth.hashing import (
    check_password_strength,
    csrf_token_for,
    fast_digest,
    hash_secret,
    new_api_key,
    new_session_token,
    parse_api_key,
    same_secret,
    verify_secret,
)


def test_argon2_hash_verifies_only_the_right_secret() -> None:
    stored = hash_secret("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_secret(stored, "correct horse battery staple")
    assert not verify_secret(stored, "correct horse battery stapler")
    # Salted: the same secret hashes differently each time.
    assert hash_secret("correct horse battery staple") != stored


def test_a_malformed_hash_never_verifies() -> None:
    assert not verify_secret("not-a-hash", "anything")
    assert not verify_secret("", "")


def test_new_keys_parse_into_their_id_and_secret() -> None:
    key_id, key = new_api_key()
    assert key.startswith(f"kb_{key_id}_")
    parsed = parse_api_key(key)
    assert parsed is not None
    assert parsed[0] == key_id
    assert len(parsed[1]) >= 32
    other_id, other = new_api_key()
    assert other_id != key_id and other != key


@pytest.mark.parametrize("bad", ["", "kb_", "Bearer kb_x", "kb_0123456789ab_short",
                                 "kb_0123456789AB_" + "x" * 43, "sk-" + "x" * 40,
                                 "kb_0123456789ab_" + "x" * 43 + "!"])
def test_other_strings_are_not_keys(bad: str) -> None:
    assert parse_api_key(bad) is None


def test_csrf_token_is_bound_to_its_session() -> None:
    token, other = new_session_token(), new_session_token()
    assert token != other and len(token) >= 43
    assert csrf_token_for(token) == csrf_token_for(token)
    assert csrf_token_for(token) != csrf_token_for(other)
    assert token not in csrf_token_for(token)
    assert same_secret(csrf_token_for(token), csrf_token_for(token))
    assert not same_secret(csrf_token_for(token), csrf_token_for(other))


def test_fast_digest_is_sha256() -> None:
    assert fast_digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


@pytest.mark.parametrize(("password", "ok"), [("short", False), ("elevenchars", False),
                                              ("twelve chars", True),
                                              ("a long enough passphrase", True)])
def test_password_strength(password: str, ok: bool) -> None:
    assert (check_password_strength(password) is None) is ok
