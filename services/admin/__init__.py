from . import catalog, events, fieldwork, requests  # noqa: F401  (registers the model admins)
