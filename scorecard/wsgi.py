import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
application = get_wsgi_application()

# After setup (settings are loaded): no serving on the fallback key outside debug mode.
from scorecard.core.security import require_secret_key  # noqa: E402

require_secret_key()
