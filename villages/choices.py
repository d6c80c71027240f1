"""The one role enum: what a person does, and the role they hold towards a request.

``User.role`` stores one of these; ``services.access`` decides which of them a user holds
towards a given request (a village clerk of *that* village, the applicant of *that*
request, …) and ``services.workflow`` says which steps each may take.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("resident")  # towards a request: its applicant
    VILLAGE_CLERK = "village_clerk", _("village clerk")  # serves one village
    TOWN_CLERK = "town_clerk", _("town-center clerk")  # serves some bodies' items
    OFFICIAL = "official", _("official")  # supervises every request


STAFF_ROLES = frozenset({Role.VILLAGE_CLERK, Role.TOWN_CLERK, Role.OFFICIAL})
