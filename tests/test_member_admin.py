"""Members in the admin, for a superuser: one page for people, a role that is
exactly one of three, a password that can be set, and switching a member off
that works as `addmember --deactivate` does."""

import pytest
from django.test import Client
from django.urls import reverse

from library.models import ApiToken, Member

PASSWORD = "a-long-passphrase-for-the-admin"


@pytest.fixture
def superuser_client(db):
    boss = Member.objects.create_superuser("boss", password=PASSWORD)
    client = Client()
    client.force_login(boss)
    return client


def change_data(member, **changes):
    data = {
        "username": member.username,
        "role": member.role.value,
        "is_active": "on" if member.is_active else "",
        "first_name": "",
        "last_name": "",
        "email": "",
        "_save": "Save",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def change(client, member, **changes):
    return client.post(
        reverse("admin:library_member_change", args=[member.pk]),
        change_data(member, **changes),
    )


def test_members_is_the_one_page_for_people(superuser_client):
    index = superuser_client.get("/admin/").content.decode()

    assert reverse("admin:library_member_changelist") in index
    assert superuser_client.get("/admin/auth/user/").status_code == 404
    assert superuser_client.get("/admin/auth/group/").status_code == 404


def test_a_member_added_in_the_admin_has_the_role_and_password_given(
    superuser_client,
):
    added = superuser_client.post(
        reverse("admin:library_member_add"),
        {
            "username": "frank",
            "role": "curator",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert added.status_code == 302
    frank = Member.objects.get(username="frank")
    assert frank.role == Member.Role.CURATOR
    assert not frank.is_staff
    assert Client().login(username="frank", password=PASSWORD)


def test_a_member_needs_a_role(superuser_client):
    refused = superuser_client.post(
        reverse("admin:library_member_add"),
        {"username": "frank", "usable_password": "false"},
    )

    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert not Member.objects.filter(username="frank").exists()


@pytest.mark.parametrize(
    ("first", "then", "staff"),
    [("agent", "lead", True), ("lead", "curator", False)],
)
def test_a_role_changed_in_the_admin_is_the_only_role(
    superuser_client, first, then, staff
):
    member = Member.enrol("gina", first, password=PASSWORD)[0]

    assert change(superuser_client, member, role=then).status_code == 302

    member = Member.objects.get(pk=member.pk)
    assert member.role == Member.Role(then)
    assert [group.name for group in member.groups.all()] == [member.role.label]
    assert member.is_staff is staff  # a lead also gets into the admin


def test_the_change_page_shows_the_current_role(superuser_client):
    member = Member.enrol("gina", "curator", password=PASSWORD)[0]

    page = superuser_client.get(
        reverse("admin:library_member_change", args=[member.pk])
    ).content.decode()

    assert '<option value="curator" selected>' in page


def test_unticking_active_stops_the_login_and_revokes_api_tokens(superuser_client):
    member = Member.enrol("hank", "agent", password=PASSWORD)[0]
    _, key = ApiToken.issue(member, name="Slack bot")
    bearer = {"Authorization": f"Bearer {key}"}
    assert Client().get("/api/gifs/", headers=bearer).status_code == 200

    assert change(superuser_client, member, is_active="").status_code == 302
    # Ticked again, the member logs in, but the old token stays revoked.
    assert change(superuser_client, member, is_active="on").status_code == 302

    assert Client().login(username="hank", password=PASSWORD)
    assert Client().get("/api/gifs/", headers=bearer).status_code == 401


def test_a_member_is_switched_off_never_deleted_with_their_history(
    superuser_client,
):
    member = Member.enrol("hank", "agent", password=PASSWORD)[0]

    deleting = superuser_client.get(
        reverse("admin:library_member_delete", args=[member.pk])
    )
    change_page = superuser_client.get(
        reverse("admin:library_member_change", args=[member.pk])
    ).content.decode()

    assert deleting.status_code == 403
    assert reverse("admin:library_member_delete", args=[member.pk]) not in change_page
    assert Member.objects.filter(pk=member.pk).exists()


def test_a_superuser_sets_a_members_password_in_the_admin(superuser_client):
    member = Member.enrol("ivy", "agent")[0]  # no password yet
    change_page = superuser_client.get(
        reverse("admin:library_member_change", args=[member.pk])
    ).content.decode()
    password_page = f"/admin/library/member/{member.pk}/password/"
    assert "../password/" in change_page

    set_it = superuser_client.post(
        password_page,
        {"usable_password": "true", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert set_it.status_code == 302
    assert Client().login(username="ivy", password=PASSWORD)
