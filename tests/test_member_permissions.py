"""What a member may do follows their role, any permission given to them
alone, and whether their account is active."""

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD

SEARCH_URL = "/api/gifs/"
REVIEW_QUEUE_URL = "/review/"


def permission(codename):
    return Permission.objects.get(content_type__app_label="library", codename=codename)


@pytest.mark.django_db
def test_a_permission_given_to_a_member_alone_counts(client):
    eve = User.objects.create_user("eve", password=PASSWORD)
    client.force_login(eve)
    assert client.get(SEARCH_URL).status_code == 403

    eve.user_permissions.add(permission("search_gif"))

    assert client.get(SEARCH_URL).status_code == 200


@pytest.mark.django_db
def test_a_role_and_a_personal_permission_add_up(agent):
    agent.user_permissions.add(permission("review_gif"))
    agent = User.objects.get(pk=agent.pk)  # a fresh permission cache

    assert agent.has_perm("library.search_gif")  # from the role
    assert agent.has_perm("library.review_gif")  # their own
    assert not agent.has_perm("library.set_appropriateness")


@pytest.mark.django_db
def test_a_deactivated_member_loses_every_permission_and_the_session(client, agent):
    client.force_login(agent)
    agent.is_active = False
    agent.save()

    assert not User.objects.get(pk=agent.pk).has_perm("library.search_gif")
    assert client.get(SEARCH_URL).status_code == 401
    assert not client.login(username=agent.username, password=PASSWORD)


@pytest.mark.django_db
def test_a_superuser_may_do_everything_without_a_role(client):
    root = User.objects.create_superuser("root", password=PASSWORD)
    assert client.login(username="root", password=PASSWORD)

    assert client.get(SEARCH_URL).status_code == 200
    assert client.get(REVIEW_QUEUE_URL).status_code == 200
    assert root.has_perms(
        [
            f"library.{p.codename}"
            for p in Permission.objects.filter(content_type__app_label="library")
        ]
    )


@pytest.mark.django_db
def test_a_members_permissions_are_read_in_one_statement_a_request(agent):
    agent = User.objects.get(pk=agent.pk)
    with CaptureQueriesContext(connection) as read:
        assert agent.has_perm("library.search_gif")
        assert not agent.has_perm("library.review_gif")
        assert not agent.has_perm("library.set_appropriateness")
    assert len(read) == 1


@pytest.mark.django_db
def test_sessions_logged_in_by_djangos_own_backend_stay_logged_in(client, agent):
    client.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get(SEARCH_URL).status_code == 200
    assert client.get(REVIEW_QUEUE_URL).status_code == 403
