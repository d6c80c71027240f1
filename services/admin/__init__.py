# registers the model admins
from . import catalog, delegation, events, fieldwork, questions, requests  # noqa: F401
