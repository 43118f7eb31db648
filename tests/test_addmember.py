from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from library.models import Member

ROLE_GROUPS = {"agent": "Agent", "curator": "Curator", "lead": "Team lead"}


def addmember(*args):
    """Run the command as an operator would and return what it printed."""
    out = StringIO()
    call_command("addmember", *args, stdout=out)
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
