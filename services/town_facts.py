"""The figures the seed article gives, each with its year and its source.

These are facts of record, not data officials edit: a figure the portal shows is
always shown with the year it describes and the article it comes from, so nobody reads
a 2017 count as today's. (The town's population is also in ``villages.Town``, loaded
from ``data/villages.yaml`` with its year.)
"""

from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

SOURCE_TITLE = (
    "《奏响花岗现代化建设的美丽乐章——花岗镇经济发达镇行政管理体制改革试点工作综述》"
)
SOURCE_ISSUER = "肥西县编办、花岗镇"
SOURCE_DATE = "2018-02-09"


def _source() -> str:
    return str(_("Source: %(title)s, %(issuer)s, published %(date)s.")) % {
        "title": SOURCE_TITLE,
        "issuer": SOURCE_ISSUER,
        "date": SOURCE_DATE,
    }


SOURCE = lazy(_source, str)()


@dataclass(frozen=True)
class Delegation:
    """2015: county departments signed letters of delegation (授权委托书) with the
    town."""

    departments: int = 14
    powers: int = 37
    year: int = 2015


@dataclass(frozen=True)
class FullAgency:
    """全程代理: cases the villages carried for residents, cumulative to a month."""

    cases: int = 14030
    year: int = 2017
    month: int = 10
    growth_percent: int = 17  # year on year


@dataclass(frozen=True)
class Population:
    people: int = 112_000
    year: int = 2017


DELEGATION = Delegation()
FULL_AGENCY = FullAgency()
POPULATION = Population()
BODIES_REFORM_YEAR = 2016  # 30+ bodies merged into "一中心、两办、七局"
CATALOG_YEAR = 2017  # the 123-item public-service list compiled
