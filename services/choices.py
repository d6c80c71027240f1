"""Choices shared by the models and the pure workflow module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HandlingMode(models.TextChoices):
    """How a resident's request is handled (the seed's three principles)."""

    INSTANT = "instant", _("On the spot (即时即办)")
    AGENCY = "agency", _("Scheduled agency (定时代办)")
    HOME = "home", _("Home visit (上门特办)")


class Level(models.TextChoices):
    VILLAGE = "village", _("village (村)")
    TOWN = "town", _("town (镇)")
    COUNTY = "county", _("county (县)")


class Status(models.TextChoices):
    """A service request's status; the allowed changes are in ``services.workflow``."""

    SUBMITTED = "submitted", _("submitted (待受理)")
    ACCEPTED = "accepted", _("accepted (已受理)")
    SUPPLEMENT = "supplement", _("awaiting supplement (待补正)")
    SENT_TO_TOWN = "sent_to_town", _("handed to the town (已转递)")
    RETURNED_TO_VILLAGE = "returned_to_village", _("returned to the village (已回村)")
    VISIT_SCHEDULED = "visit_scheduled", _("home visit scheduled (已预约上门)")
    COMPLETED = "completed", _("completed (已办结)")
    REJECTED = "rejected", _("not accepted (不予受理)")
    WITHDRAWN = "withdrawn", _("withdrawn (已撤回)")
