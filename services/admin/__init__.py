# registers the model admins
from . import catalog, delegation, fieldwork, requests  # noqa: F401
