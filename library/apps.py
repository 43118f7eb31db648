from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("GIF shelf")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from library.middleware import remember_language

        user_logged_in.connect(remember_language, dispatch_uid="remember_language")
