"""Agents search and copy at the same moment. Over real HTTP to a threaded
server, every request must succeed and every copy be counted, on SQLite (one
writer at a time: the others wait their turn) as on PostgreSQL."""

import http.client
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse

from library.models import ApiToken, Copy, Gif

AGENTS = 6
ROUNDS = 8


def ask(server, method, path, headers, body=None):
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# The live server starts before the test's settings: WhiteNoise looks for the
# real STATIC_ROOT, which only collectstatic fills (tests/browser/conftest.py).
@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agents_searching_and_copying_at_once_lose_nothing(
    live_server, agent, approved_gif
):
    server = urlsplit(live_server.url)
    _, key = ApiToken.issue(agent, "Chat integration")
    headers = {"Authorization": f"Bearer {key}"}
    copy_path = reverse("library:api_copies", args=[approved_gif.pk])
    search_path = reverse("library:api_gifs") + "?" + urlencode({"q": "thanks"})
    statuses = []
    start = threading.Barrier(AGENTS)

    def work():
        start.wait()
        for _ in range(ROUNDS):
            statuses.append(ask(server, "GET", search_path, headers))
            statuses.append(
                ask(
                    server,
                    "POST",
                    copy_path,
                    {**headers, "Content-Type": "application/x-www-form-urlencoded"},
                    urlencode({"format": "link"}),
                )
            )

    agents = [threading.Thread(target=work) for _ in range(AGENTS)]
    for thread in agents:
        thread.start()
    for thread in agents:
        thread.join()

    made = AGENTS * ROUNDS
    assert sorted(set(statuses)) == [200, 201], statuses
    assert statuses.count(201) == made
    assert Copy.objects.filter(gif=approved_gif).count() == made
    assert Gif.objects.get(pk=approved_gif.pk).copy_count == made
