from django.urls import path

from library import api, views

app_name = "library"

urlpatterns = [
    path("", views.home, name="home"),
    path("gifs/<int:pk>/", views.gif_detail, name="gif_detail"),
    path("gifs/<int:pk>/edit/", views.gif_edit, name="gif_edit"),
    path("upload/", views.upload, name="upload"),
    path("api/gifs/", api.gifs, name="api_gifs"),
    path("api/gifs/<int:pk>/", api.gif, name="api_gif"),
]
