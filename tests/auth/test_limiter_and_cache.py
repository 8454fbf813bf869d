"""Rate limiting (token buckets) and the cache of successful credential checks."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from kambot.auth import users as users_module
from kambot.auth.authenticator import Authenticator
from kambot.auth.ratelimit import RateLimiter
from kambot.auth.users import create_user, issue_key, revoke_key
from kambot.errors import AuthenticationError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_up_to_the_limit_then_429_with_the_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, clock=clock)  # one per second steady
    assert all(limiter.hit("key:a").allowed for _ in range(60))
    refused = limiter.hit("key:a")
    assert not refused.allowed and refused.retry_after_s == 1
    assert limiter.hit("key:b").allowed  # another caller has their own bucket
    clock.now += 1.0
    assert limiter.hit("key:a").allowed
    assert not limiter.hit("key:a").allowed
    clock.now += 30.0
    assert [limiter.hit("key:a").allowed for _ in range(31)] == [True] * 30 + [False]


def test_retry_after_tells_how_long_to_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(6, clock=clock)  # one every 10 s
    for _ in range(6):
        limiter.hit("ip:1")
    assert limiter.hit("ip:1").retry_after_s == 10
    assert limiter.exhausted("ip:1") is not None
    clock.now += 4
    assert limiter.hit("ip:1").retry_after_s == 6
    assert limiter.exhausted("nobody") is None


def test_idle_callers_are_forgotten_when_there_are_too_many() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, max_buckets=100)
    for n in range(100):
        limiter.hit(f"ip:{n}")
    clock.now += 120  # everyone's bucket is full again
    limiter.hit("ip:new")
    assert len(limiter._buckets) == 1


def test_a_positive_limit_is_required() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the store checks of API keys (each one is an argon2 verification)."""
    calls: list[str] = []
    real = users_module.authenticate_key

    def spy(engine: Engine, key: str, **kwargs: Any) -> Any:
        calls.append(key)
        return real(engine, key, **kwargs)

    monkeypatch.setattr(users_module, "authenticate_key", spy)
    return calls


def test_a_checked_key_is_remembered_until_the_ttl(engine: Engine, counted: list[str]) -> None:
    create_user(engine, "alice", "kam", accounts=["ACME"])
    key = issue_key(engine, "alice").key
    clock = FakeClock()
    auth = Authenticator(lambda: engine, ttl_s=30, clock=clock)
    assert auth.cached_key(key) is None
    first = auth.api_key(key)
    assert first is not None
    assert auth.api_key(key) == first and auth.cached_key(key) == first
    assert len(counted) == 1
    clock.now += 31
    assert auth.cached_key(key) is None
    assert auth.api_key(key) is not None
    assert len(counted) == 2


def test_failures_are_never_remembered(engine: Engine, counted: list[str]) -> None:
    create_user(engine, "bob", "lead")
    key = issue_key(engine, "bob").key
    wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    auth = Authenticator(lambda: engine)
    assert auth.api_key(wrong) is None
    assert auth.api_key(wrong) is None
    assert len(counted) == 2
    assert auth.api_key("not-a-key") is None
    assert len(counted) == 2  # malformed keys never reach the store


def test_revocation_is_immediate_once_the_user_is_forgotten(engine: Engine,
                                                            counted: list[str]) -> None:
    create_user(engine, "carol", "kam", accounts=["ACME"])
    issued = issue_key(engine, "carol")
    auth = Authenticator(lambda: engine)
    identity = auth.api_key(issued.key)
    assert identity is not None
    revoke_key(engine, "carol", issued.key_id)
    assert auth.forget_user(identity.principal.user_id) == 1
    assert auth.api_key(issued.key) is None


def test_one_verification_for_many_simultaneous_requests(engine: Engine,
                                                         counted: list[str]) -> None:
    create_user(engine, "dave", "admin")
    key = issue_key(engine, "dave").key
    auth = Authenticator(lambda: engine, verify_slots=1)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(auth.api_key(key)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and all(r is not None for r in results)
    assert len(counted) == 1


def test_login_opens_a_session_and_logout_ends_it(engine: Engine) -> None:
    create_user(engine, "erin", "hr", password="a long enough passphrase")
    auth = Authenticator(lambda: engine)
    with pytest.raises(AuthenticationError) as wrong:
        auth.login("erin", "wrong password!", 60)
    with pytest.raises(AuthenticationError) as unknown:
        auth.login("nobody", "wrong password!", 60)
    assert wrong.value.message == unknown.value.message
    token, identity = auth.login("erin", "a long enough passphrase", 60)
    assert auth.cached_session(token) == identity
    assert auth.session(token) == identity
    assert auth.logout(token)
    assert auth.cached_session(token) is None
    assert auth.session(token) is None
