import uuid

from django.contrib import admin
from django.urls import include, path, re_path, register_converter

from library import api, views


class PublicIdConverter:
    regex = "[0-9a-f]{32}"

    def to_python(self, value):
        return uuid.UUID(hex=value)

    def to_url(self, value):
        return value.hex if isinstance(value, uuid.UUID) else value


class RenditionConverter:
    regex = "still|last|preview"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PublicIdConverter, "public_id")
register_converter(RenditionConverter, "rendition")

# Errors under /api/ are JSON like every other API answer.
handler400 = api.bad_request
handler500 = api.server_error

urlpatterns = [
    # Public links stay this short so chat tools unfurl them by extension.
    path(
        "g/<public_id:public_id>.<slug:extension>",
        views.public_file,
        {"rendition": None},
        name="public_file",
    ),
    path(
        "g/<public_id:public_id>.<rendition:rendition>.<slug:extension>",
        views.public_file,
        name="public_rendition",
    ),
    path(
        "g/<public_id:public_id>.frame<int:frame>.png",
        views.public_frame,
        name="public_frame",
    ),
    path("api/openapi.json", api.openapi_document, name="openapi"),
    # Before Django's own: the login that throttles repeated failures.
    path("accounts/login/", views.login, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("language/", views.choose_language, name="choose_language"),
    path("admin/", admin.site.urls),
    path("", include("library.urls")),
    # Last: an /api/ address nothing above answers is a JSON 404.
    re_path(r"^api/", api.not_found),
]
