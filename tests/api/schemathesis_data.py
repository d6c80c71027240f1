"""The callers and the data a schemathesis run needs: one function for both runs,
CI's (``.ci/schemathesis``, through ``python -m tests.api.schemathesis_data``) and
the suite's smoke test (tests/api/test_schemathesis_smoke.py).

- accounts and an API key each: an official, the clerk of the village with the most
  requests, a resident (the applicant of some requests);
- schemathesis dictionaries: real tracking numbers, item and village codes, trip and
  visit ids, which the parameters named in ``.ci/schemathesis.toml`` draw from, so
  that generated paths and bodies hit existing objects as well as missing ones.

Run as a script against the database of DATABASE_URL (migrated, town data loaded,
requests generated): writes ``<dir>/keys.env`` (the keys, mode 0600) and
``<dir>/schemathesis.toml``, the settings completed with the dictionaries (default
``<dir>``: var/schemathesis/).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIG = ROOT / ".ci" / "schemathesis.toml"
# Made-up numbers no generated applicant (1990…) or history staff (1980000…) uses.
PHONES = {
    "official": "19600000001",
    "clerk": "19600000002",
    "resident": "19600000003",
}
SAMPLE = 40  # objects of each kind in a dictionary


@dataclass
class Callers:
    keys: dict[str, str]  # official, clerk, resident → "hg_…"
    dictionaries: dict[str, list[str | int]]  # dictionary name → values


def callers_prepare() -> Callers:
    """Make (or reuse) the accounts, a new API key for each, and the dictionaries.

    Needs the town data; works on an empty request table too (the dictionaries then
    hold only catalog and village codes)."""
    from django.db.models import Count

    from huagang.privacy import NOTICE_VERSION
    from services import workflow
    from services.models import AgencyTrip, HomeVisit, ServiceItem, ServiceRequest
    from villages.actions import api_token_create, user_create
    from villages.choices import Role
    from villages.models import User, Village

    busiest = (
        ServiceRequest.objects.values("village_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    village = (
        Village.objects.get(pk=busiest["village_id"])
        if busiest
        else Village.objects.order_by("code").first()
    )
    roles = {
        "official": (Role.OFFICIAL, None),
        "clerk": (Role.VILLAGE_CLERK, village),
        "resident": (Role.RESIDENT, None),
    }
    keys = {}
    accounts = {}
    for who, (role, where) in roles.items():
        account = User.objects.filter(phone=PHONES[who]).first() or user_create(
            phone=PHONES[who], name="接口测试", role=role, password=None, village=where
        )
        accounts[who] = account
        _token, keys[who] = api_token_create(
            name=f"schemathesis {who}", account=account, by=None
        )
    # The resident applies for some of the clerk's village's requests.
    mine = ServiceRequest.objects.filter(village=village).order_by("-pk")[:SAMPLE]
    ServiceRequest.objects.filter(pk__in=[r.pk for r in mine]).update(
        account=accounts["resident"]
    )
    # The newest, the village's newest, and open ones (a step can be taken on them:
    # a 200 rather than a 409 for a finished request).
    numbers = ("tracking_number", "applicant_phone")
    requests = [
        *ServiceRequest.objects.order_by("-pk").values_list(*numbers)[:SAMPLE],
        *ServiceRequest.objects.filter(village=village)
        .order_by("-pk")
        .values_list(*numbers)[:SAMPLE],
        *ServiceRequest.objects.filter(status__in=workflow.OPEN)
        .order_by("-pk")
        .values_list(*numbers)[:SAMPLE],
    ]
    item_codes = list(
        ServiceItem.objects.order_by("code").values_list("code", flat=True)[:SAMPLE]
    )
    village_codes = list(
        Village.objects.order_by("code").values_list("code", flat=True)[:SAMPLE]
    )
    dictionaries = {
        "tracking_numbers": sorted({number for number, _phone in requests}),
        # a handful only: a lookup matches when number and digits are drawn together
        "lookup_numbers": [number for number, _phone in requests[:4]],
        "phone_last4": [phone[-4:] for _number, phone in requests[:4]],
        # what an application carries (POST requests/), so that some are made
        "mobiles": ["13955550123", "13800000000", "19912345678"],
        "id_numbers": ["11010519491231002X"],  # GB 11643's own example
        "notice_versions": [NOTICE_VERSION],
        "item_codes": item_codes,
        "village_codes": village_codes,
        "codes": item_codes + village_codes,
        "trip_ids": sorted(
            {
                *_newest(AgencyTrip.objects.filter(village=village)),
                *_newest(AgencyTrip.objects.all()),
            }
        ),
        "visit_ids": sorted(
            {
                *_newest(HomeVisit.objects.filter(request__village=village)),
                *_newest(HomeVisit.objects.all()),
            }
        ),
    }
    return Callers(keys=keys, dictionaries=dictionaries)


def _newest(queryset) -> list[int]:
    return list(queryset.order_by("-pk").values_list("pk", flat=True)[: SAMPLE // 2])


def dictionary_values(callers: Callers) -> dict[str, list[str | int]]:
    """The dictionaries, each with a value at least: schemathesis refuses an empty one
    (and a binding to a dictionary it lacks), so an empty one gets a value that
    matches nothing."""
    return {name: values or [0] for name, values in callers.dictionaries.items()}


def config_write(callers: Callers, directory: Path) -> Path:
    """.ci/schemathesis.toml completed with this database's dictionaries (typed
    values: a dictionary file would hold only strings, which an integer path
    parameter never takes)."""
    lines = [
        CONFIG.read_text(),
        "# Written by tests/api/schemathesis_data.py: objects of this database.",
        "[dictionaries]",
    ]
    for name, values in dictionary_values(callers).items():
        # a JSON array of strings and integers is a TOML array too
        lines.append(f"{name} = {{ values = {json.dumps(values)} }}")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "schemathesis.toml"
    target.write_text("\n".join(lines) + "\n")
    return target


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huagang.settings.base")
    import django

    django.setup()
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var/schemathesis"
    callers = callers_prepare()
    config_write(callers, directory)
    keys = directory / "keys.env"
    keys.touch(mode=0o600)
    keys.chmod(0o600)
    keys.write_text(
        "".join(f"{who.upper()}_KEY={key}\n" for who, key in callers.keys.items())
    )
    counts = ", ".join(f"{len(v)} {k}" for k, v in callers.dictionaries.items())
    print(f"schemathesis callers: {', '.join(callers.keys)}; dictionaries: {counts}")


if __name__ == "__main__":
    main()
