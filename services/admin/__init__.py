# registers the model admins
from . import catalog, delegation, fieldwork, questions, requests  # noqa: F401
