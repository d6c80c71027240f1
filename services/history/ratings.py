"""好差评 in a generated history: ratings of completed cases, and the follow-up each
poor rating opens (answered within its deadline once the deadline has passed)."""

from villages.choices import Role

from ..models import EventKind
from . import shape
from .cases import DAY, NULL

LEVELS = (
    [level for level, _w in shape.LEVEL_WEIGHTS],
    shape.cumulative(w for _l, w in shape.LEVEL_WEIGHTS),
)


class Ratings:
    """Mixin of ``simulate.History``: needs ``rng``, ``days``, ``now``, ``official``,
    ``ts`` and ``_next_id``."""

    def _rating(self, rows, rid, case) -> None:
        rng = self.rng
        if case.status != "completed" or rng.random() >= 0.6:
            return
        rated = case.fields["completed_at"] + 10 + rng.randrange(5 * DAY)
        if rated > self.now:
            return
        level = rng.choices(LEVELS[0], cum_weights=LEVELS[1])[0]
        rating_id = self._next_id("rating")
        comment = rng.choice(shape.POOR_COMMENTS) if level <= 2 else ""
        rows["rating"].append(
            (str(rating_id), str(rid), str(level), comment, self.ts(rated))
        )
        case.note(
            rated, EventKind.RATING, None, Role.RESIDENT, shape.LEVEL_NAMES[level]
        )
        if level <= 2:
            self._follow_up(rows, rating_id, case, rated)

    def _follow_up(self, rows, rating_id, case, rated) -> None:
        deadline = self.days.add(rated // DAY, 5)
        case.note(
            rated + 1,
            EventKind.FOLLOW_UP,
            None,
            "",
            f"差评：整改截止 {self.days.text[deadline]}（演示）",
        )
        answered_day = self.days.add(rated // DAY, self.rng.randint(1, 5))
        answered = answered_day * DAY + 16 * 60
        stage, texts, answered_at = "open", ("", "", ""), NULL
        official = self.official
        if answered <= self.now:
            stage, texts = (
                "answered",
                ("情况属实（演示）", "已整改（演示）", "已电话回复申请人（演示）"),
            )
            answered_at = self.ts(answered)
            for offset, text in enumerate(texts):
                case.note(
                    answered - 60 + offset * 20,
                    EventKind.FOLLOW_UP,
                    official,
                    Role.OFFICIAL,
                    text,
                    offset == 2,
                )
        rows["follow_up"].append(
            (
                str(self._next_id("follow_up")),
                str(rating_id),
                stage,
                self.days.text[deadline],
                NULL if stage == "open" else str(official),
                *texts,
                answered_at,
                NULL,
            )
        )
