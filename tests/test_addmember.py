from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client

from library.models import ApiToken, Member

ROLE_GROUPS = {"agent": "Agent", "curator": "Curator", "lead": "Team lead"}


def addmember(*args, stdin=""):
    """Run the command as an operator would and return what it printed.
    Its standard input is `stdin`, never a terminal: nothing is asked."""
    out = StringIO()
    call_command("addmember", *args, stdout=out, stdin=StringIO(stdin))
    return out.getvalue()


def role_groups_of(username):
    member = Member.objects.get(username=username)
    return sorted(
        member.groups.filter(name__in=ROLE_GROUPS.values()).values_list(
            "name", flat=True
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "curator", "lead"])
def test_it_creates_a_member_in_the_role_given(role):
    output = addmember("erin", "--role", role, "--password", "a-long-passphrase")

    assert output.startswith(f"Created erin as {Member.Role(role).label}.")
    assert role_groups_of("erin") == [ROLE_GROUPS[role]]
    assert Member.objects.get(username="erin").role == role


@pytest.mark.django_db
def test_the_password_given_lets_the_member_log_in(client):
    addmember("erin", "--role", "agent", "--password", "a-long-passphrase")

    assert client.login(username="erin", password="a-long-passphrase")
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_new_member_without_a_password_cannot_log_in(client):
    output = addmember("erin", "--role", "curator")

    assert "no password yet" in output
    assert not Member.objects.get(username="erin").has_usable_password()
    assert not client.login(username="erin", password="")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "then"),
    [("agent", "curator"), ("curator", "lead"), ("lead", "agent"), ("lead", "lead")],
)
def test_a_role_change_leaves_the_member_in_exactly_one_role(first, then):
    addmember("erin", "--role", first, "--password", "a-long-passphrase")

    output = addmember("erin", "--role", then)

    assert output.startswith(f"Updated erin as {Member.Role(then).label}.")
    assert role_groups_of("erin") == [ROLE_GROUPS[then]]
    assert Member.objects.filter(username="erin").count() == 1


@pytest.mark.django_db
def test_only_leads_get_into_the_admin():
    addmember("erin", "--role", "lead")
    assert Member.objects.get(username="erin").is_staff

    addmember("erin", "--role", "curator")
    assert not Member.objects.get(username="erin").is_staff


@pytest.mark.django_db
def test_a_demoted_lead_loses_the_leads_permissions():
    addmember("erin", "--role", "lead")
    addmember("erin", "--role", "agent")

    erin = Member.objects.get(username="erin")
    assert erin.has_perm("library.search_gif")
    assert not erin.has_perm("library.add_gif")
    assert not erin.has_perm("library.set_appropriateness")


@pytest.mark.django_db
def test_updating_without_a_password_keeps_the_old_one(client):
    addmember("erin", "--role", "agent", "--password", "a-long-passphrase")

    output = addmember("erin", "--role", "curator")

    assert "no password yet" not in output
    assert client.login(username="erin", password="a-long-passphrase")


@pytest.mark.django_db
def test_updating_with_a_password_replaces_the_old_one(client):
    addmember("erin", "--role", "agent", "--password", "a-long-passphrase")

    addmember("erin", "--role", "agent", "--password", "another-passphrase")

    assert not client.login(username="erin", password="a-long-passphrase")
    assert client.login(username="erin", password="another-passphrase")


@pytest.mark.django_db
def test_other_groups_are_left_alone():
    addmember("erin", "--role", "agent")
    erin = Member.objects.get(username="erin")
    erin.groups.add(Group.objects.create(name="Night shift"))

    addmember("erin", "--role", "curator")

    assert sorted(erin.groups.values_list("name", flat=True)) == [
        "Curator",
        "Night shift",
    ]


@pytest.mark.django_db
def test_an_invalid_role_is_refused_and_creates_nobody():
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        addmember("erin", "--role", "admin")

    assert not Member.objects.filter(username="erin").exists()


@pytest.mark.django_db
def test_the_role_is_required():
    with pytest.raises(CommandError, match="--role"):
        addmember("erin")

    assert not Member.objects.filter(username="erin").exists()


@pytest.mark.django_db
def test_a_blank_username_is_refused():
    with pytest.raises(CommandError, match="Give a username"):
        addmember("   ", "--role", "agent")

    assert not Member.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "told"),
    [("short", "too short"), ("password123", "too common")],
)
def test_a_weak_password_is_refused_with_the_reason_and_nothing_is_made(password, told):
    with pytest.raises(CommandError, match=told):
        addmember("erin", "--role", "agent", "--password", password)
    with pytest.raises(CommandError, match=told):
        addmember("erin", "--role", "agent", "--password-stdin", stdin=password)

    assert not Member.objects.filter(username="erin").exists()


@pytest.mark.django_db
def test_a_weak_password_leaves_an_existing_member_as_they_were(client):
    addmember("erin", "--role", "agent", "--password", "a-long-passphrase")

    with pytest.raises(CommandError, match="Nothing was changed"):
        addmember("erin", "--role", "lead", "--password", "short")

    assert client.login(username="erin", password="a-long-passphrase")
    assert role_groups_of("erin") == ["Agent"]


@pytest.mark.django_db
def test_a_script_gives_the_password_on_standard_input(client):
    addmember(
        "erin", "--role", "agent", "--password-stdin", stdin="a-long-passphrase\n"
    )

    assert client.login(username="erin", password="a-long-passphrase")
    with pytest.raises(CommandError, match="held no password"):
        addmember("finn", "--role", "agent", "--password-stdin", stdin="\n")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["erin smith", "erin/ops", "e" * 151])
def test_a_username_the_login_form_could_not_take_is_refused(username):
    with pytest.raises(CommandError):
        addmember(username, "--role", "agent")

    assert not Member.objects.exists()


@pytest.mark.django_db
def test_a_name_differing_from_a_members_only_in_case_is_refused():
    addmember("erin", "--role", "agent")

    with pytest.raises(CommandError, match="already a member called 'erin'"):
        addmember("Erin", "--role", "lead")

    assert list(Member.objects.values_list("username", flat=True)) == ["erin"]


@pytest.mark.django_db
def test_deactivating_stops_the_login_and_adding_again_brings_them_back(client):
    addmember("erin", "--role", "curator", "--password", "a-long-passphrase")

    output = addmember("erin", "--deactivate")

    assert output.startswith("Deactivated erin: they can no longer log in")
    assert "API tokens are revoked" in output
    assert not client.login(username="erin", password="a-long-passphrase")
    assert role_groups_of("erin") == ["Curator"]  # their role waits for them

    output = addmember("erin", "--role", "curator")

    assert output.startswith("Reactivated erin as Curator: they can log in again.")
    assert client.login(username="erin", password="a-long-passphrase")


@pytest.mark.django_db
def test_deactivating_someone_unknown_is_refused():
    with pytest.raises(CommandError, match="no member called 'nobody'"):
        addmember("nobody", "--deactivate")


@pytest.mark.django_db
@pytest.mark.parametrize("password", [["--password", "x"], ["--password-stdin"]])
def test_deactivating_with_a_password_is_refused_and_changes_nothing(password):
    addmember("erin", "--role", "agent", "--password", "a-long-passphrase")

    with pytest.raises(CommandError, match="--deactivate takes no password"):
        addmember("erin", "--deactivate", *password, stdin="new-passphrase\n")

    assert Client().login(username="erin", password="a-long-passphrase")


@pytest.mark.django_db
def test_a_name_is_kept_as_the_login_form_will_look_it_up(client):
    # A full-width "ｅｒｉｎ" from an East Asian keyboard is "erin" (NFKC).
    addmember("ｅｒｉｎ", "--role", "agent", "--password", "a-long-passphrase")

    assert Member.objects.get().username == "erin"
    assert (
        client.post(
            "/accounts/login/", {"username": "erin", "password": "a-long-passphrase"}
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_a_superuser_given_a_role_keeps_the_admin():
    Member.objects.create_superuser("root", password="a-long-passphrase")

    output = addmember("root", "--role", "agent")

    root = Member.objects.get(username="root")
    assert root.is_staff and root.is_superuser
    assert "They are a superuser" in output
    assert role_groups_of("root") == ["Agent"]


class Terminal(StringIO):
    """Standard input as a terminal: addmember asks for the password."""

    def isatty(self):
        return True


@pytest.fixture
def typed_at_the_prompt(monkeypatch):
    """What the operator types at each getpass prompt; the prompts shown."""
    answers, prompts = [], []

    def getpass(prompt):
        prompts.append(prompt)
        answer = answers.pop(0)
        if isinstance(answer, BaseException):  # Ctrl-D, Ctrl-C
            raise answer
        return answer

    monkeypatch.setattr("getpass.getpass", getpass)
    return answers, prompts


def addmember_at_a_terminal(*args):
    out = StringIO()
    call_command("addmember", *args, stdout=out, stdin=Terminal())
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key", [EOFError(), KeyboardInterrupt()], ids=["ctrl-d", "ctrl-c"]
)
@pytest.mark.parametrize("at", [0, 1], ids=["first-prompt", "second-prompt"])
def test_leaving_the_password_prompt_changes_nothing_and_says_so(
    typed_at_the_prompt, key, at
):
    answers, _ = typed_at_the_prompt
    answers += ["a-long-passphrase", "a-long-passphrase"]
    answers[at] = key

    with pytest.raises(CommandError, match="No password given: nothing was changed"):
        addmember_at_a_terminal("erin", "--role", "agent")

    assert not Member.objects.filter(username="erin").exists()


@pytest.mark.django_db
def test_in_a_terminal_a_new_members_password_is_asked_twice(
    client, typed_at_the_prompt
):
    answers, prompts = typed_at_the_prompt
    answers += ["a-long-passphrase", "a-long-passphrase"]

    output = addmember_at_a_terminal("erin", "--role", "agent")

    assert prompts == [
        "Password for erin (Enter for none yet): ",
        "The same password again: ",
    ]
    assert output.startswith("Created erin as Agent.")
    assert client.login(username="erin", password="a-long-passphrase")


@pytest.mark.django_db
def test_two_different_passwords_at_the_prompt_create_nobody(typed_at_the_prompt):
    answers, _ = typed_at_the_prompt
    answers += ["a-long-passphrase", "a-long-passphrose"]

    with pytest.raises(CommandError, match="The two passwords differ"):
        addmember_at_a_terminal("erin", "--role", "agent")

    assert not Member.objects.exists()


@pytest.mark.django_db
def test_enter_at_the_prompt_leaves_a_new_member_without_a_password(
    typed_at_the_prompt,
):
    answers, prompts = typed_at_the_prompt
    answers += [""]

    output = addmember_at_a_terminal("erin", "--role", "agent")

    assert len(prompts) == 1
    assert "no password yet" in output
    assert not Member.objects.get(username="erin").has_usable_password()


@pytest.mark.django_db
def test_a_role_change_in_a_terminal_asks_nothing(typed_at_the_prompt):
    _, prompts = typed_at_the_prompt
    addmember("erin", "--role", "agent", "--password", "a-long-passphrase")

    addmember_at_a_terminal("erin", "--role", "curator")

    assert prompts == []


@pytest.mark.django_db
def test_in_a_terminal_a_member_without_a_password_is_asked_for_one(
    client, typed_at_the_prompt
):
    answers, prompts = typed_at_the_prompt
    addmember("erin", "--role", "agent")  # no password yet, as it said
    answers += ["a-long-passphrase", "a-long-passphrase"]

    addmember_at_a_terminal("erin", "--role", "agent")

    assert len(prompts) == 2
    assert client.login(username="erin", password="a-long-passphrase")


@pytest.mark.django_db
def test_deactivating_revokes_api_tokens_for_good():
    addmember("erin", "--role", "agent", "--password", "a-long-passphrase")
    erin = Member.objects.get(username="erin")
    _, key = ApiToken.issue(erin, name="Slack bot")
    bearer = {"Authorization": f"Bearer {key}"}
    assert Client().get("/api/gifs/", headers=bearer).status_code == 200

    addmember("erin", "--deactivate")
    addmember("erin", "--role", "agent")

    assert Client().get("/api/gifs/", headers=bearer).status_code == 401


@pytest.mark.django_db
def test_deactivating_a_case_twin_points_to_the_member_meant():
    addmember("erin", "--role", "agent")

    with pytest.raises(CommandError, match="Did you mean 'erin'"):
        addmember("Erin", "--deactivate")

    assert Member.objects.get(username="erin").is_active
