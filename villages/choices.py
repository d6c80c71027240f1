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
    GRID_WORKER = "grid_worker", _("grid worker")  # serves the households of a grid


# A grid worker (网格员) works on the workbench for the grids (网格) they serve: enters
# requests for its households (channel 网格员代办) and follows them, but takes no
# status step and does not use the admin (villages.roles.ROLE_IS_STAFF).


STAFF_ROLES = frozenset(
    {Role.VILLAGE_CLERK, Role.TOWN_CLERK, Role.OFFICIAL, Role.GRID_WORKER}
)
# Who uses the admin site: staff, except grid workers (the workbench only).
ADMIN_ROLES = STAFF_ROLES - {Role.GRID_WORKER}
