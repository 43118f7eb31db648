"""The app's own pages for a crash (500), a request it cannot read (400) and
a form's address opened by hand (405), as production (DEBUG off) shows them."""

import pytest
from django.test import Client
from django.urls import path, reverse

from gifshelf.urls import handler400, handler500  # noqa: F401 (used by Django)
from gifshelf.urls import urlpatterns as app_urlpatterns
from tests.test_languages import english_left


def crash(request):
    raise RuntimeError("a bug in a view")


# The app's URLs and a view that fails (on a page and in the API), for the 500.
urlpatterns = [path("crash/", crash), path("api/crash/", crash), *app_urlpatterns]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def visitor(language="en"):
    """A browser that gets the error pages a real one would, not exceptions."""
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.django_db
def test_a_crash_shows_the_apps_own_500_page(production):
    response = visitor().get("/crash/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in page
    assert "may not have been saved" in page
    assert 'href="/">Back to the shelf</a>' in page
    assert "<script" not in page


@pytest.mark.django_db
def test_the_500_page_speaks_russian(production):
    page = visitor("ru").get("/crash/").content.decode()

    assert "Что-то пошло не так" in page
    assert english_left(page) == []


@pytest.mark.django_db
def test_a_request_the_app_cannot_read_shows_the_apps_own_400_page(production):
    response = visitor().get("/", HTTP_HOST="not-this-shelf.example")

    page = response.content.decode()
    assert response.status_code == 400
    assert "<h1>The request could not be read</h1>" in page
    assert "reload the page and try again" in page


@pytest.mark.django_db
def test_the_400_page_speaks_russian(production):
    page = visitor("ru").get("/", HTTP_HOST="evil.example").content.decode()

    assert "Запрос не удалось прочитать" in page
    assert english_left(page) == []


@pytest.mark.django_db
def test_a_crash_in_the_api_is_json_a_script_can_read(production):
    response = visitor("ru").get("/api/crash/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert "могло не сохраниться" in response.json()["error"]


@pytest.mark.django_db
def test_an_api_request_the_app_cannot_read_is_json(production, settings, curator):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = visitor()
    client.force_login(curator)

    wrong_host = client.get("/api/gifs/", HTTP_HOST="evil.example")
    too_many_fields = client.post("/api/gifs/", {f"field{n}": "x" for n in range(10)})

    for response in (wrong_host, too_many_fields):
        assert response.status_code == 400
        assert response.json()["code"] == "bad_request"
        assert "could not be read" in response.json()["error"]


@pytest.mark.django_db
def test_opening_a_forms_address_by_hand_explains_instead_of_a_blank_page(
    production, agent, approved_gif
):
    client = visitor()
    client.force_login(agent)

    response = client.get(reverse("library:favourite", args=[approved_gif.pk]))

    page = response.content.decode()
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "<h1>Not a page to open this way</h1>" in page
    assert "Go back to the page you came from" in page
    assert '<nav aria-label="Main">' in page  # the app's header, to go on from
    # The middleware around the page still add their headers.
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_405_page_speaks_the_members_language(production, agent):
    client = visitor("ru")
    client.force_login(agent)

    page = client.get(reverse("library:house_rules_read")).content.decode()

    assert "Эту страницу так не открыть" in page
    assert english_left(page, data=["alice"]) == []


@pytest.mark.django_db
def test_a_visitor_gets_the_405_page_too(production):
    response = visitor().get(reverse("choose_language"))

    assert response.status_code == 405
    assert "<h1>Not a page to open this way</h1>" in response.content.decode()


@pytest.mark.django_db
def test_the_api_keeps_answering_a_wrong_method_in_json(production, agent):
    client = visitor()
    client.force_login(agent)

    response = client.delete(reverse("library:api_gifs"))

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
