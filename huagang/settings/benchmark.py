"""Settings for the HTTP benchmarks (benchmarks/http_pages.py, benchmarks/api.py):
production, plus the reference views of huagang/benchmark.py under /benchmark/.

Never deploy with these: the reference views list service requests without a login.
"""

from .production import *  # noqa: F403

# Mounts the reference views (huagang/urls.py). Off in every other settings module.
HUAGANG_BENCHMARK = True
