"""Models of the services app, one module per part of the domain."""

from ..choices import HandlingMode, Level, Status
from .calendar import CalendarDay, CalendarYear
from .catalog import Body, Category, Material, ServiceItem
from .notifications import Notification
from .requests import (
    AgencyTrip,
    Attachment,
    Channel,
    DueState,
    EventKind,
    FollowUp,
    HomeVisit,
    Rating,
    RequestEvent,
    ServiceRequest,
)

__all__ = [
    "AgencyTrip",
    "Attachment",
    "Body",
    "CalendarDay",
    "CalendarYear",
    "Category",
    "Channel",
    "DueState",
    "EventKind",
    "FollowUp",
    "HandlingMode",
    "HomeVisit",
    "Level",
    "Material",
    "Notification",
    "Rating",
    "RequestEvent",
    "ServiceItem",
    "ServiceRequest",
    "Status",
]
