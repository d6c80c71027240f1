from . import catalog, fieldwork, requests  # noqa: F401  (registers the model admins)
