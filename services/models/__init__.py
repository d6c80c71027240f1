"""Models of the services app, one module per part of the domain."""

from ..choices import HandlingMode, Level, Status
from .calendar import CalendarDay, CalendarYear
from .catalog import Body, CatalogVersion, Category, Material, ServiceItem
from .delegation import CountyDepartment, DelegatedPower
from .events import (
    LifeEvent,
    LifeEventApplication,
    LifeEventItem,
    LifeEventLink,
    LifeEventQuestion,
    MaterialKind,
)
from .fieldwork import AgencyTrip, HomeVisit, TripCheck
from .notifications import Notification
from .questions import Question, QuestionEvent, QuestionPublication
from .ratings import FollowUp, Rating
from .requests import (
    Attachment,
    Channel,
    Delivery,
    DueState,
    EventKind,
    RequestEvent,
    ServiceRequest,
    VisitTime,
)
from .search import SearchSynonym
from .statistics import DailyFigures, DailyItemCounts, FiguresBuilt

__all__ = [
    "AgencyTrip",
    "Attachment",
    "Body",
    "CalendarDay",
    "CalendarYear",
    "CatalogVersion",
    "Category",
    "Channel",
    "CountyDepartment",
    "DailyFigures",
    "DailyItemCounts",
    "DelegatedPower",
    "Delivery",
    "DueState",
    "EventKind",
    "FiguresBuilt",
    "FollowUp",
    "HandlingMode",
    "HomeVisit",
    "Level",
    "LifeEvent",
    "LifeEventApplication",
    "LifeEventItem",
    "LifeEventLink",
    "LifeEventQuestion",
    "Material",
    "MaterialKind",
    "Notification",
    "Question",
    "QuestionEvent",
    "QuestionPublication",
    "Rating",
    "RequestEvent",
    "SearchSynonym",
    "ServiceItem",
    "ServiceRequest",
    "Status",
    "TripCheck",
    "VisitTime",
]
