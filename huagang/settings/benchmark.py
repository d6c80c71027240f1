"""Settings for the HTTP benchmark (benchmarks/http_pages.py): production, plus the
reference view at /benchmark/reference/.

Never deploy with these: the reference view lists service requests without a login.
"""

from .production import *  # noqa: F403

# Mounts the reference view (huagang/urls.py). Off in every other settings module.
HUAGANG_BENCHMARK = True
