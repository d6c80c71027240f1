from . import catalog, fieldwork, questions, requests  # noqa: F401  (registers the model admins)
