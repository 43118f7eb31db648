from django.urls import path

from library import api, views

app_name = "library"


def api_path(route, view, name):
    """An API route, answered the same with or without its trailing slash.

    Without the slash, Django's APPEND_SLASH would redirect a script's POST
    (a 500 under DEBUG; in production a 301 that clients follow as a GET,
    the body lost). reverse() gives the documented form, with the slash.
    """
    return [path(route, view, name=name), path(route.removesuffix("/"), view)]


urlpatterns = [
    path("", views.home, name="home"),
    path("picker/results/", views.picker_results, name="picker_results"),
    path("picker/context/", views.choose_context, name="picker_context"),
    path("picker/gifs/<int:pk>/", views.picker_preview, name="picker_preview"),
    path("gifs/<int:pk>/favourite/", views.favourite, name="favourite"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/tokens/", views.token_create, name="token_create"),
    path(
        "preferences/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"
    ),
    path("aliases/", views.aliases, name="aliases"),
    path("aliases/<int:pk>/delete/", views.alias_delete, name="alias_delete"),
    path("gifs/<int:pk>/", views.gif_detail, name="gif_detail"),
    path("gifs/<int:pk>/edit/", views.gif_edit, name="gif_edit"),
    path("gifs/<int:pk>/flag/", views.flag, name="flag"),
    path("gifs/<int:pk>/retire/", views.gif_retire, name="gif_retire"),
    path("gifs/<int:pk>/takedown/", views.gif_take_down, name="gif_take_down"),
    path(
        "gifs/<int:pk>/takedown/confirm/",
        views.gif_take_down_confirm,
        name="gif_take_down_confirm",
    ),
    path("gifs/<int:pk>/restore/", views.gif_restore, name="gif_restore"),
    path("gifs/<int:pk>/reopen/", views.gif_reopen, name="gif_reopen"),
    path(
        "gifs/<int:pk>/taken-down-file/",
        views.taken_down_file,
        name="taken_down_file",
    ),
    path("upload/", views.upload, name="upload"),
    path("my-uploads/", views.my_uploads, name="my_uploads"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("appropriateness/", views.bulk_appropriateness, name="bulk_appropriateness"),
    path(
        "appropriateness/apply/",
        views.bulk_appropriateness_apply,
        name="bulk_appropriateness_apply",
    ),
    path("contexts/", views.contexts, name="contexts"),
    path("contexts/new/", views.context_create, name="context_create"),
    path("contexts/<int:pk>/edit/", views.context_edit, name="context_edit"),
    path("vocabularies/", views.vocabularies, name="vocabularies"),
    path(
        "vocabularies/<slug:vocabulary>/<int:pk>/",
        views.tag_guidance,
        name="tag_guidance",
    ),
    path("house-rules/", views.house_rules, name="house_rules"),
    path("house-rules/edit/", views.house_rules_edit, name="house_rules_edit"),
    path("house-rules/read/", views.house_rules_read, name="house_rules_read"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/unskip/", views.review_unskip, name="review_unskip"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/<int:pk>/approve/", views.approve, name="approve"),
    path("review/<int:pk>/reject/", views.reject, name="reject"),
    path("review/<int:pk>/skip/", views.skip, name="skip"),
    path("review/<int:pk>/restore/", views.restore, name="restore"),
    path("review/<int:pk>/retire/", views.retire, name="retire"),
    *api_path("api/gifs/", api.gifs, "api_gifs"),
    *api_path("api/gifs/<int:pk>/", api.gif, "api_gif"),
    *api_path("api/gifs/<int:pk>/review/start/", api.review_start, "api_review_start"),
    *api_path("api/gifs/<int:pk>/review/open/", api.review_open, "api_review_open"),
    *api_path(
        "api/gifs/<int:pk>/review/watched/",
        api.review_watched,
        "api_review_watched",
    ),
    *api_path(
        "api/gifs/<int:pk>/review/filmstrip/",
        api.review_filmstrip,
        "api_review_filmstrip",
    ),
    *api_path("api/gifs/<int:pk>/approve/", api.approve, "api_approve"),
    *api_path("api/gifs/<int:pk>/reject/", api.reject, "api_reject"),
    *api_path("api/gifs/<int:pk>/flag/", api.flag, "api_flag"),
    *api_path("api/gifs/<int:pk>/retire/", api.retire, "api_retire"),
    *api_path("api/gifs/<int:pk>/takedown/", api.take_down, "api_take_down"),
    *api_path("api/gifs/<int:pk>/restore/", api.restore, "api_restore"),
    *api_path("api/gifs/<int:pk>/reopen/", api.reopen, "api_reopen"),
    *api_path("api/gifs/<int:pk>/copies/", api.copies, "api_copies"),
]
