import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gifshelf.settings")

application = get_wsgi_application()

# Every server loads this module, so none starts with the development key.
from gifshelf.checks import require_secret_key  # noqa: E402

require_secret_key()
