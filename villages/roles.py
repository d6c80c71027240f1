"""The role groups and the permissions each carries, in one place.

A user's ``role`` field says what they do; ``user_set_role`` keeps their group in step.
Permissions are named as ``app_label.codename`` strings so this module needs no import
of the services app.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ADMIN_ROLES, Role

ROLE_GROUPS: dict[Role, str] = {
    Role.RESIDENT: "residents",
    Role.VILLAGE_CLERK: "village clerks",
    Role.TOWN_CLERK: "town-center clerks",
    Role.OFFICIAL: "officials",
    Role.GRID_WORKER: "grid workers",
}

_CATALOG_VIEW = [
    "services.view_category",
    "services.view_body",
    "services.view_serviceitem",
    "services.view_material",
    "villages.view_town",
    "villages.view_village",
    "villages.view_subcenter",
    "villages.view_servicewindow",
    "services.view_countydepartment",
    "services.view_delegatedpower",
    "villages.view_grid",
    "villages.view_villagegroup",
    "villages.view_villageliaison",
]

# Officials maintain the catalog and the village directory in the admin.
_OFFICIAL_EDIT = [
    f"{app}.{verb}_{model}"
    for app, model in [
        ("services", "category"),
        ("services", "body"),
        ("services", "serviceitem"),
        ("services", "material"),
        ("villages", "village"),
        ("villages", "subcenter"),
        ("villages", "servicewindow"),
        ("villages", "town"),
        ("villages", "grid"),
        ("villages", "villagegroup"),
        ("villages", "villageliaison"),
        ("services", "searchsynonym"),
        ("services", "countydepartment"),
        ("services", "delegatedpower"),
        ("services", "lifeevent"),
        ("services", "lifeeventquestion"),
        ("services", "lifeeventitem"),
        ("services", "materialkind"),
    ]
    for verb in ("add", "change")
] + [
    # an event's questions and items are edited as its inline rows
    "services.delete_lifeeventquestion",
    "services.delete_lifeeventitem",
    "services.delete_searchsynonym",  # a wrong synonym misleads every search
    "villages.view_user",
    "villages.change_user",
    "villages.add_user",
]

# Clerks work on requests in the admin; which requests, and which steps, is decided by
# services.access and services.workflow, not by these model permissions.
_CASEWORK = [
    "services.view_servicerequest",
    "services.add_servicerequest",
    "services.change_servicerequest",
    "services.view_requestevent",
    "services.view_attachment",
    "services.view_agencytrip",
    "services.change_agencytrip",
    "services.view_homevisit",
    "services.add_homevisit",
    "services.change_homevisit",
    "services.view_calendaryear",
    "services.view_calendarday",
]
_SUPERVISION = [
    "services.view_rating",
    "services.view_followup",
    "services.change_followup",
    "services.view_notification",
    "services.view_question",
    "services.view_questionevent",
    "services.view_questionpublication",
    "services.add_calendaryear",
    "services.change_calendaryear",
    "services.add_calendarday",
    "services.change_calendarday",
    "services.delete_calendarday",
    # village affairs in public: read in the admin; every change goes through the
    # workbench's actions (services.actions.disclosures)
    "villages.view_disclosure",
    "villages.view_disclosurefile",
    "villages.view_disclosureevent",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.RESIDENT: [],
    Role.VILLAGE_CLERK: _CATALOG_VIEW + _CASEWORK,
    Role.TOWN_CLERK: _CATALOG_VIEW + _CASEWORK,
    Role.OFFICIAL: _CATALOG_VIEW + _OFFICIAL_EDIT + _CASEWORK + _SUPERVISION,
    # A grid worker enters requests for the households of their grid and reads them
    # on the workbench (which requests: services.access); no admin, so no more.
    Role.GRID_WORKER: [
        *_CATALOG_VIEW,
        "services.view_servicerequest",
        "services.add_servicerequest",
    ],
}

ROLE_IS_STAFF = {role: role in ADMIN_ROLES for role in Role}

GROUP_LABELS = {
    "residents": _("residents"),
    "village clerks": _("village clerks"),
    "town-center clerks": _("town-center clerks"),
    "officials": _("officials"),
    "grid workers": _("grid workers"),
}


def _permissions(names: list[str]) -> list[Permission]:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    if len(found) != len(set(names)):
        missing = set(names) - {
            f"{p.content_type.app_label}.{p.codename}" for p in found
        }
        raise LookupError(f"Unknown permissions: {sorted(missing)}")
    return found


def ensure_role_groups() -> dict[str, Group]:
    """Create or refresh the role groups with exactly their permissions."""
    groups = {}
    for role, group_name in ROLE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.set(_permissions(ROLE_PERMISSIONS[role]))
        groups[role] = group
    return groups
