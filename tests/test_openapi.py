"""The OpenAPI document says what the API does: same routes, same fields."""

import json
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from library.models import Gif
from library.openapi import ERROR_CODES

ROOT = Path(__file__).resolve().parent.parent

SCHEMA_TYPES = {
    "integer": int,
    "string": str,
    "array": list,
    "boolean": bool,
    "object": dict,
    "null": type(None),
}


def api_routes():
    """Every /api/ path in the URLconf, in OpenAPI's {id} form (each also
    answers without its trailing slash: that twin is not listed)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    return {
        "/" + route.replace("<int:pk>", "{id}")
        for route in walk(get_resolver().url_patterns)
        if route.startswith("api/gifs") and route.endswith("/")
    }


def allowed_methods(client, path, gif_id):
    response = client.generic("OPTIONS", path.replace("{id}", str(gif_id)))
    return {method.strip().lower() for method in response["Allow"].split(",")}


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def assert_matches(schema, value, components, where="response"):
    """A small check of a JSON value against the schema subset we use."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} is not documented"
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        expected = tuple(SCHEMA_TYPES[kind] for kind in kinds)
        assert isinstance(value, expected), f"{where}: {value!r} is not {kinds}"
    if isinstance(value, dict) and "properties" in schema:
        assert set(value) <= set(schema["properties"]), (
            f"{where} sends undocumented fields: "
            f"{sorted(set(value) - set(schema['properties']))}"
        )
        for name in schema.get("required", []):
            assert name in value, f"{where} lacks the documented field {name}"
        for name, item in value.items():
            assert_matches(schema["properties"][name], item, components, name)
    if isinstance(value, list) and "items" in schema:
        for item in value:
            assert_matches(schema["items"], item, components, where)


@pytest.mark.django_db
def test_the_document_is_public_json_for_openapi_3(client, document):
    assert document["openapi"].startswith("3.")
    assert json.loads(json.dumps(document)) == document


@pytest.mark.django_db
def test_every_api_route_is_documented_and_nothing_else(document):
    assert set(document["paths"]) == api_routes()


@pytest.mark.django_db
def test_each_route_documents_exactly_the_methods_it_answers(
    curator_client, document, pending_gif
):
    for path, operations in document["paths"].items():
        documented = set(operations) - {"parameters"}
        answered = allowed_methods(curator_client, path, pending_gif.pk) - {
            "head",
            "options",
        }
        assert documented == answered, path


@pytest.mark.django_db
def test_each_route_answers_the_same_without_its_trailing_slash(
    curator_client, document, pending_gif
):
    for path in document["paths"]:
        slashless = path.removesuffix("/")
        assert allowed_methods(curator_client, slashless, pending_gif.pk) == (
            allowed_methods(curator_client, path, pending_gif.pk)
        ), slashless


@pytest.mark.django_db
def test_a_gif_from_the_api_matches_the_documented_gif(
    lead_client, document, approved_gif
):
    gif = lead_client.get(f"/api/gifs/{approved_gif.pk}/").json()

    schema = document["components"]["schemas"]["Gif"]
    assert set(gif) == set(schema["properties"])
    assert_matches(schema, gif, document["components"]["schemas"])


@pytest.mark.django_db
def test_a_search_page_matches_the_documented_page(agent_client, document, upload_gif):
    upload_gif(title="Thank you", alt_text="A cat bows", status=Gif.Status.APPROVED)

    page = agent_client.get("/api/gifs/", {"q": "thank"}).json()

    assert page["count"] == 1
    schemas = document["components"]["schemas"]
    assert set(page["results"][0]) == set(schemas["Result"]["properties"])
    assert_matches(schemas["SearchPage"], page, schemas)


@pytest.mark.django_db
def test_errors_match_the_documented_error(agent_client, document):
    refusal = agent_client.get("/api/gifs/", {"mood": "No such mood"})

    assert refusal.status_code == 400
    assert "400" in document["paths"]["/api/gifs/"]["get"]["responses"]
    schemas = document["components"]["schemas"]
    assert_matches(schemas["Error"], refusal.json(), schemas)


@pytest.mark.django_db
def test_the_error_schema_lists_every_code(document):
    code = document["components"]["schemas"]["Error"]["properties"]["code"]

    assert code["enum"] == list(ERROR_CODES)
    assert "code" in document["components"]["schemas"]["Error"]["required"]


def test_every_code_the_api_and_the_models_send_is_documented():
    """Codes written in the API and on ReviewError: a new one that is not in
    the list (and so not in the documents) fails here."""
    sent = set()
    for source in ("library/api.py", "library/models.py", "library/uploads.py"):
        text = (ROOT / source).read_text()
        # On the models, only ReviewError's codes reach the API (a form
        # ValidationError's code, such as name_taken, does not).
        sent |= set(
            re.findall(r'ReviewError\((?:[^()]|\([^()]*\))*?code="(\w+)"', text)
        )
        if source != "library/models.py":
            sent |= set(re.findall(r'code="(\w+)"', text))
        sent |= set(re.findall(r'"code": "(\w+)"', text))
        sent |= set(re.findall(r'\b4\d\d,\s*"(\w+)"', text))
    assert sent
    assert sent - set(ERROR_CODES) == set()


def test_docs_api_md_lists_every_code():
    docs = (ROOT / "docs" / "api.md").read_text()

    assert [code for code in ERROR_CODES if f"`{code}`" not in docs] == []
