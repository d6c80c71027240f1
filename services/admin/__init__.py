from . import catalog, requests  # noqa: F401  (registers the model admins)
