"""The shape of a realistic history: how often, where, what and how people ask.

Figures are plausible guesses for a rural town of about 60,000 people, not statistics:
social and medical insurance, 低保 and the elderly's subsidies dominate; most cases come
in January–February (annual certifications, 医保 payment) and September (school), few
over the Spring Festival; the larger communities bring more than the small villages.
"""

import datetime as dt
import hashlib
import itertools

from ..choices import HandlingMode

# Marks every generated request (``--clear`` removes only these) and trip.
DEMO_NOTE = "演示数据（generate_history 生成）"
DEMO_TRIP_NOTE = "演示数据"
# Applicants' mobiles: 1990 and seven digits, counted up — obviously not real people.
PHONE_PREFIX = "1990"

MONTH_FACTOR = {
    1: 1.35,
    2: 1.25,
    3: 1.0,
    4: 0.95,
    5: 0.95,
    6: 0.95,
    7: 0.85,
    8: 0.9,
    9: 1.3,
    10: 0.9,
    11: 1.0,
    12: 1.1,
}
YEARLY_GROWTH = 1.15  # the seed: +17% full-agency cases year on year
WEEKEND_FACTOR = 0.12  # online requests, and a few sub-centers open on Saturdays
HOLIDAY_FACTOR = 0.05
SPRING_FESTIVAL_FACTOR = 0.02

# Items people ask for all the time (weight; others 1).
COMMON_ITEMS = {
    "HG-YB-001": 25,  # 医保参保登记
    "HG-SB-014": 15,  # 养老待遇资格认证
    "HG-YB-002": 12,  # 医保报销代办
    "HG-SB-005": 10,  # 养老保险参保登记
    "HG-JZ-001": 8,  # 低保申请
    "HG-JZ-002": 8,
    "HG-HJ-005": 8,  # 身份证
    "HG-SB-016": 6,
    "HG-WJ-007": 6,
    "HG-JZ-013": 5,
    "HG-SB-004": 5,
    "HG-SB-015": 5,
    "HG-WJ-008": 5,
    "HG-YL-001": 5,
    "HG-JZ-003": 4,
    "HG-JZ-005": 4,
    "HG-YB-003": 4,
    "HG-YL-002": 4,
    "HG-YB-006": 3,
    "HG-CJ-005": 3,
    "HG-CJ-006": 3,
}
RARE_ITEMS = {"HG-ZR-001", "HG-QT-003", "HG-NY-001", "HG-JZ-009", "HG-HJ-003"}
# Item code prefix → {month: factor}.
ITEM_SEASONS = {
    "HG-YB-001": {9: 2.5, 10: 2.5, 11: 2.5, 12: 2.5, 1: 1.5},  # 医保 payment period
    "HG-YB-006": {9: 2.0, 10: 2.0, 11: 2.0, 12: 2.0},
    "HG-SB-005": {1: 2.0, 2: 1.5, 12: 1.5},
    "HG-JK-": {9: 4.0, 3: 2.0},  # school terms
    "HG-WJ-008": {4: 2.0, 5: 2.0, 6: 2.0},  # yearly health checks
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国玉兰志强红梅文海燕春梅德胜凤英小红金花家乐子涵雨轩"

REJECT_REASONS = [
    "不符合申请条件（演示）",
    "材料不全且申请人放弃补正（演示）",
    "非本镇户籍，请向户籍地申请（演示）",
]
SUPPLEMENT_NOTES = [
    "请补充户口簿复印件（演示）",
    "请补充近期收入证明（演示）",
    "请补充银行卡复印件（演示）",
]
RESULTS = [
    "已办结，结果已告知申请人（演示）",
    "准予办理（演示）",
    "已审核通过，待遇次月发放（演示）",
]
POOR_COMMENTS = ["等待时间太长（演示）", "来回跑了好几趟（演示）", ""]
LEVEL_NAMES = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
# Rating levels 5…1 in percent: about 3% 差评.
LEVEL_WEIGHTS = [(5, 62), (4, 27), (3, 8), (2, 2), (1, 1)]


def village_weight(code: str, kind: str) -> float:
    """Bigger places bring more cases: the town seat most, communities more than
    villages; a stable per-village spread from the code."""
    if code.endswith("106001"):
        return 3.0
    spread = _unit(code)
    return (1.2 + spread * 1.3) if kind == "community" else (0.6 + spread * 0.9)


def item_weight(code: str, month: int) -> float:
    weight = COMMON_ITEMS.get(code, 0.3 if code in RARE_ITEMS else 1.0)
    for prefix, months in ITEM_SEASONS.items():
        if code.startswith(prefix):
            weight *= months.get(month, 1.0)
    return weight


def mode_weights(item) -> list[tuple[str, float]]:
    """The modes the item allows, weighted: short limits are done on the spot, long
    ones carried to the town; home visits are for the few who cannot come."""
    short = item.promised_days <= 1
    weights = [
        (HandlingMode.INSTANT, item.allows_instant, 3.0 if short else 1.0),
        (HandlingMode.AGENCY, item.allows_agency, 0.1 if short else 1.6),
        (HandlingMode.HOME, item.allows_home, 0.15),
    ]
    return [(mode.value, weight) for mode, allowed, weight in weights if allowed]


def day_weight(day: dt.date, is_work: bool, holiday: str, start_year: int) -> float:
    weight = MONTH_FACTOR[day.month] * YEARLY_GROWTH ** (day.year - start_year)
    if holiday == "Spring Festival":
        return weight * SPRING_FESTIVAL_FACTOR
    if not is_work:
        return weight * (HOLIDAY_FACTOR if holiday else WEEKEND_FACTOR)
    return weight


def cumulative(weights) -> list[float]:
    return list(itertools.accumulate(weights))


def _unit(text: str) -> float:
    """A stable number in [0, 1) from a text (not Python's salted hash)."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 16**8


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class Residents:
    """Resident number → (name, mobile, ID number, address), all made up but in
    valid formats; the same resident (so the same phone) asks several times."""

    def __init__(self, area_code: str = "340123"):
        self.area = area_code
        self._cache: dict[int, tuple[str, str, str]] = {}

    def person(self, number: int) -> tuple[str, str, str]:
        found = self._cache.get(number)
        if found is None:
            found = self._cache[number] = self._make(number)
        return found

    def _make(self, number: int) -> tuple[str, str, str]:
        surname = SURNAMES[number * 7919 % len(SURNAMES)]
        given = GIVEN[number * 104729 % len(GIVEN)]
        if number % 3:
            given += GIVEN[number * 1299709 % len(GIVEN)]
        born = dt.date(1935, 1, 1) + dt.timedelta(days=number * 7907 % 25000)
        body = f"{self.area}{born:%Y%m%d}{number % 1000:03d}"
        total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
        return (
            f"{surname}{given}（演示）",
            f"{PHONE_PREFIX}{number:07d}",
            body + _ID_CHECK[total % 11],
        )
