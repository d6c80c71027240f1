"""Output of the statistics endpoints: the dashboard's figures as tables (a label column,
then numbers), and the overdue cases with the applicant's name masked."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...statistics import COUNT, DAYS, PERCENT, TEXT, Figure


@extend_schema_field({"type": "number", "nullable": True})
class NumberField(serializers.Field):
    """A count (integer), a share or an average (one decimal), or null (nothing to
    divide by): written as computed, an integer stays an integer."""

    def to_representation(self, value: int | float | None) -> int | float | None:
        return value


class PeriodSerializer(serializers.Serializer):
    first = serializers.DateField(help_text="The first day (included).")
    last = serializers.DateField(help_text="The last day (included).")


class ColumnSerializer(serializers.Serializer):
    label = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=[(kind, kind) for kind in (TEXT, COUNT, PERCENT, DAYS)],
        help_text="text (the row's label), count, percent or days (an average).",
    )


class RowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The first column: a village, a month …")
    values = serializers.ListField(
        child=NumberField(), help_text="The other columns, in their order."
    )


class FigureSerializer(serializers.Serializer):
    """One figure of the dashboard: `columns` describes the label and then each of
    `values`; `total` is the row that sums up (null when there is none)."""

    key = serializers.CharField()
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = RowSerializer(many=True)
    total = RowSerializer(allow_null=True)
    note = serializers.CharField(allow_blank=True)


def figure_data(figure: Figure) -> dict:
    """A figure with its rows split into label and values (the first column of every
    dashboard figure is its label)."""
    return {
        "key": figure.key,
        "title": str(figure.title),
        "columns": [{"label": str(c.label), "kind": c.kind} for c in figure.columns],
        "rows": [_row(row) for row in figure.rows],
        "total": _row(figure.total) if figure.total else None,
        "note": str(figure.note),
    }


def _row(row: list) -> dict:
    return {"label": str(row[0]), "values": list(row[1:])}


class ScopeSerializer(serializers.Serializer):
    villages = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="The division codes of the villages whose requests count; null: "
        "every village.",
    )
    bodies = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="The codes of the bodies whose requests count; null: every body.",
    )


class AgencyTotalsSerializer(serializers.Serializer):
    now = serializers.IntegerField(help_text="定时代办 cases in the period.")
    before = serializers.IntegerField(help_text="The same months a year before.")
    change_percent = serializers.IntegerField(
        allow_null=True, help_text="The change in whole percent (null: none before)."
    )


class DashboardSerializer(serializers.Serializer):
    period = PeriodSerializer()
    year_before = PeriodSerializer()
    scope = ScopeSerializer()
    calendar_unknown = serializers.BooleanField(
        help_text="Some year of the period is unknown to the holiday calendar: its "
        "working days are counted Monday to Friday."
    )
    agency = AgencyTotalsSerializer()
    figures = FigureSerializer(many=True)


class OverdueCaseSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    village_code = serializers.CharField()
    village_name = serializers.CharField()
    applicant = serializers.CharField(help_text="The applicant's name, masked (张**).")
    due_date = serializers.DateField()
    working_days_late = serializers.IntegerField()
