"""Repeated failed log-ins lock the account, or the address they come from,
out for a while, with a clear message; the lockout gives away nothing about
which accounts exist."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db.models import F
from django.test import Client
from django.urls import reverse

from library.models import LoginFailure
from tests.conftest import PASSWORD

LOCKED = "Too many failed log-ins for this account or from this address."
WRONG = "That username and password do not match."


@pytest.fixture(autouse=True)
def limits(settings):
    settings.GIFSHELF_LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.GIFSHELF_LOGIN_FAILURES_PER_ADDRESS = 5
    settings.GIFSHELF_LOGIN_LOCKOUT_SECONDS = 600
    settings.GIFSHELF_CLIENT_IP_HEADER = ""


def log_in(username, password, address="192.0.2.1", **headers):
    return Client().post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def logged_in(response):
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def fail(username, times, address="192.0.2.1"):
    for _ in range(times):
        response = log_in(username, "wrong guess", address)
        page = response.content.decode()
        if response.status_code == 429:  # the failure that reached the limit
            assert LOCKED in page
        else:
            assert response.status_code == 200
            assert WRONG in page


def age_failures(seconds):
    """Let `seconds` pass for every failure on record."""
    LoginFailure.objects.update(at=F("at") - timedelta(seconds=seconds))


@pytest.mark.django_db
def test_an_account_is_locked_out_after_repeated_failures_even_to_its_password(
    agent,
):
    # From a new address each time: the account's own count locks it.
    for number in range(3):
        fail("alice", 1, address=f"198.51.100.{number}")

    response = log_in("alice", PASSWORD, address="203.0.113.9")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "Try again in 10 minutes." in response.content.decode()
    assert 590 <= int(response["Retry-After"]) <= 600
    assert not logged_in(response)


LAST_TRY = "One more failed log-in, and logging in is locked for 10 minutes."


@pytest.mark.django_db
def test_the_failure_before_the_lockout_warns_of_it(agent):
    first = log_in("alice", "wrong guess").content.decode()
    second = log_in("alice", "wrong guess").content.decode()

    assert WRONG in first and LAST_TRY not in first
    assert WRONG in second and LAST_TRY in second  # the limit here is 3
    log_in("alice", "wrong guess")  # the one it warned of
    assert log_in("alice", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_failure_that_locks_says_so_at_once(agent):
    fail("alice", 2)

    locking = log_in("alice", "wrong guess")

    page = locking.content.decode()
    assert locking.status_code == 429
    assert LOCKED in page and "Try again in 10 minutes." in page
    assert 590 <= int(locking["Retry-After"]) <= 600
    assert LAST_TRY not in page


@pytest.mark.django_db
def test_the_warning_reads_the_same_for_an_account_that_does_not_exist(agent):
    log_in("nobody", "wrong guess", address="198.51.100.2")

    made_up = log_in("nobody", "wrong guess", address="198.51.100.2")

    assert LAST_TRY in made_up.content.decode()


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_still_let_the_member_in(agent):
    fail("alice", 2)

    assert logged_in(log_in("alice", PASSWORD))


@pytest.mark.django_db
def test_the_lockout_counts_the_account_whatever_the_case_of_the_username(agent):
    for spelling in ("Alice", "ALICE", "alice "):
        log_in(spelling, "wrong guess")

    assert log_in("alice", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_an_address_is_locked_out_after_failures_across_accounts(agent, curator):
    for username in ("x1", "x2", "x3", "x4", "x5"):
        fail(username, 1, address="192.0.2.66")

    from_there = log_in("bob", PASSWORD, address="192.0.2.66")
    from_elsewhere = log_in("bob", PASSWORD, address="192.0.2.67")

    assert from_there.status_code == 429
    assert LOCKED in from_there.content.decode()
    assert logged_in(from_elsewhere)


@pytest.mark.django_db
def test_the_lockout_lifts_once_the_window_has_passed(agent):
    fail("alice", 3)
    assert log_in("alice", PASSWORD).status_code == 429

    age_failures(599)
    assert log_in("alice", PASSWORD).status_code == 429
    age_failures(2)

    assert logged_in(log_in("alice", PASSWORD))


@pytest.mark.django_db
def test_attempts_during_a_lockout_do_not_prolong_it(agent):
    fail("alice", 3)
    age_failures(300)
    for _ in range(5):
        assert log_in("alice", "another guess").status_code == 429

    age_failures(301)

    assert logged_in(log_in("alice", PASSWORD))


@pytest.mark.django_db
def test_a_success_clears_the_accounts_count(agent):
    fail("alice", 2)
    assert logged_in(log_in("alice", PASSWORD))

    fail("alice", 2)

    assert logged_in(log_in("alice", PASSWORD))


@pytest.mark.django_db
def test_failures_and_lockouts_read_the_same_for_accounts_that_do_not_exist(agent):
    real = log_in("alice", "wrong guess", address="198.51.100.1")
    made_up = log_in("nobody", "wrong guess", address="198.51.100.2")
    assert (real.status_code, made_up.status_code) == (200, 200)
    assert WRONG in real.content.decode()
    assert WRONG in made_up.content.decode()

    fail("alice", 2, address="198.51.100.1")
    fail("nobody", 2, address="198.51.100.2")
    real = log_in("alice", PASSWORD, address="198.51.100.1")
    made_up = log_in("nobody", PASSWORD, address="198.51.100.2")

    assert (real.status_code, made_up.status_code) == (429, 429)
    assert real["Retry-After"] == made_up["Retry-After"]
    assert message(real) == message(made_up)


def message(response):
    text = response.content.decode()
    start = text.index('role="alert">') + len('role="alert">')
    return text[start : text.index("</p>", start)]


@pytest.mark.django_db
def test_behind_a_proxy_the_address_is_the_one_the_proxy_added(settings, agent):
    settings.GIFSHELF_CLIENT_IP_HEADER = "X-Forwarded-For"
    # Everyone reaches the app from the proxy, 10.0.0.1; a client may forge
    # the first entries of X-Forwarded-For, never the last.
    for number in range(5):
        log_in(
            f"x{number}",
            "wrong guess",
            address="10.0.0.1",
            X_Forwarded_For=f"203.0.113.{number}, 192.0.2.50",
        )

    blocked = log_in(
        "alice", PASSWORD, address="10.0.0.1", X_Forwarded_For="192.0.2.50"
    )
    neighbour = log_in(
        "alice", PASSWORD, address="10.0.0.1", X_Forwarded_For="192.0.2.51"
    )

    assert blocked.status_code == 429
    assert logged_in(neighbour)


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(lead):
    lead.is_staff = True
    lead.save()
    admin_login = reverse("admin:login")
    for _ in range(3):
        Client().post(admin_login, {"username": "dana", "password": "nope"})

    response = Client().post(admin_login, {"username": "dana", "password": PASSWORD})

    assert LOCKED in response.content.decode()
    assert response.status_code == 429
    assert 590 <= int(response["Retry-After"]) <= 600
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_the_admin_login_warns_before_the_last_try_too(lead):
    lead.is_staff = True
    lead.save()
    admin_login = reverse("admin:login")

    pages = [
        Client()
        .post(admin_login, {"username": "dana", "password": "nope"})
        .content.decode()
        for _ in range(2)
    ]

    assert LAST_TRY not in pages[0]
    assert LAST_TRY in pages[1]


@pytest.mark.django_db
def test_old_failures_are_pruned_as_new_ones_arrive(agent):
    fail("alice", 2)
    age_failures(601)

    fail("bob", 1)

    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["bob"]


@pytest.mark.django_db
def test_a_deactivated_member_with_the_right_password_is_told_so(agent):
    agent.is_active = False
    agent.save()

    right = log_in("alice", PASSWORD)
    wrong = log_in("alice", "wrong guess", address="192.0.2.2")

    assert "This account was deactivated" in right.content.decode()
    assert not logged_in(right)
    # A wrong password learns nothing about the account.
    assert WRONG in wrong.content.decode()
    assert "deactivated" not in wrong.content.decode()


class CountingHasher(MD5PasswordHasher):
    """Django's test hasher, counting the passwords it hashes."""

    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


@pytest.mark.django_db
def test_a_deactivated_account_costs_no_more_hashing_than_a_wrong_password(
    settings, agent, lead
):
    # Were a switched-off account's right password checked once more, the
    # time a log-in takes would tell which accounts are switched off.
    settings.PASSWORD_HASHERS = ["tests.test_login_throttling.CountingHasher"]
    agent.is_active = False
    agent.save()

    def hashes_for(username, password, address):
        before = CountingHasher.hashed
        log_in(username, password, address=address)
        return CountingHasher.hashed - before

    deactivated = hashes_for("alice", PASSWORD, "192.0.2.3")
    wrong_password = hashes_for("dana", "wrong guess", "192.0.2.4")
    nobody = hashes_for("nobody", "wrong guess", "192.0.2.5")

    assert deactivated == wrong_password == nobody > 0
