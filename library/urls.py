from django.urls import path

from library import api, views

app_name = "library"

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
    path("gifs/<int:pk>/restore/", views.gif_restore, name="gif_restore"),
    path(
        "gifs/<int:pk>/taken-down-file/",
        views.taken_down_file,
        name="taken_down_file",
    ),
    path("upload/", views.upload, name="upload"),
    path("my-uploads/", views.my_uploads, name="my_uploads"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/<int:pk>/approve/", views.approve, name="approve"),
    path("review/<int:pk>/reject/", views.reject, name="reject"),
    path("review/<int:pk>/skip/", views.skip, name="skip"),
    path("review/<int:pk>/restore/", views.restore, name="restore"),
    path("review/<int:pk>/retire/", views.retire, name="retire"),
    path("api/gifs/", api.gifs, name="api_gifs"),
    path("api/gifs/<int:pk>/", api.gif, name="api_gif"),
    path("api/gifs/<int:pk>/review/start/", api.review_start, name="api_review_start"),
    path(
        "api/gifs/<int:pk>/review/filmstrip/",
        api.review_filmstrip,
        name="api_review_filmstrip",
    ),
    path("api/gifs/<int:pk>/approve/", api.approve, name="api_approve"),
    path("api/gifs/<int:pk>/reject/", api.reject, name="api_reject"),
    path("api/gifs/<int:pk>/flag/", api.flag, name="api_flag"),
    path("api/gifs/<int:pk>/retire/", api.retire, name="api_retire"),
    path("api/gifs/<int:pk>/takedown/", api.take_down, name="api_take_down"),
    path("api/gifs/<int:pk>/restore/", api.restore, name="api_restore"),
    path("api/gifs/<int:pk>/copies/", api.copies, name="api_copies"),
]
