from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = "GIF shelf"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from library.middleware import remember_language

        user_logged_in.connect(remember_language, dispatch_uid="remember_language")
