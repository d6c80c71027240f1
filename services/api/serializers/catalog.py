"""Output of the catalog endpoints: categories, bodies, items and their guides, villages
with their sub-centers. Read-only; what a guide says in sentences comes from
``services.guide``, the same rules the guide page renders."""

import functools
from typing import Any

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from villages.models import ServiceWindow, SubCenter, Village

from ... import guide as guide_rules
from ...choices import HandlingMode, Level
from ...models import Body, Category, Material, ServiceItem


class CategorySerializer(serializers.ModelSerializer):
    item_count = serializers.IntegerField(help_text="Published items in the category.")

    class Meta:
        model = Category
        fields = ["code", "name", "prefix", "order", "item_count"]


class BodySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    item_count = serializers.IntegerField(help_text="Published items it handles.")

    class Meta:
        model = Body
        fields = [
            "code",
            "name",
            "kind",
            "kind_display",
            "order",
            "is_demo",
            "item_count",
        ]
        extra_kwargs = {
            "is_demo": {"help_text": "The name is a placeholder (demo data)."}
        }


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "name"]


class BodyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["code", "name", "is_demo"]


class ModeSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=HandlingMode.choices)
    label = serializers.CharField()


def _modes(item: ServiceItem) -> list[dict[str, str]]:
    return [{"value": mode.value, "label": str(mode.label)} for mode in item.modes]


@functools.cache
def _labels(language: str) -> tuple[dict[str, str], dict[str, str]]:
    """The handling modes' and the levels' labels in `language` (translated once per
    process and language: the compiled catalogues do not change while it runs)."""
    with translation.override(language):
        return (
            {mode.value: str(mode.label) for mode in HandlingMode},
            {level.value: str(level.label) for level in Level},
        )


def service_item_row(item: ServiceItem) -> dict[str, Any]:
    """``ServiceItemSerializer``'s representation of `item`, written out: a page of
    the list is built without DRF's per-field machinery (introspecting the
    ``get_…_display`` callables, translating each label again), which cost several
    times the page's query. A test holds it equal to the serializer's own."""
    modes, levels = _labels(translation.get_language() or settings.LANGUAGE_CODE)
    return {
        "code": item.code,
        "name": item.name,
        "category": {"code": item.category.code, "name": item.category.name},
        "body": {
            "code": item.body.code,
            "name": item.body.name,
            "is_demo": item.body.is_demo,
        },
        "item_type": item.item_type,
        "accept_level": item.accept_level,
        "accept_level_display": levels[item.accept_level],
        "modes": [
            {"value": mode.value, "label": modes[mode.value]} for mode in item.modes
        ],
        "promised_days": item.promised_days,
        "online": item.online,
        "apply_online": guide_rules.accepts_online_application(item),
        "is_demo": item.is_demo,
    }


class ServiceItemListSerializer(serializers.ListSerializer):
    def to_representation(self, data) -> list[dict[str, Any]]:
        return [service_item_row(item) for item in data]


class ServiceItemSerializer(serializers.ModelSerializer):
    """A service in the catalog list: enough to pick it and to filter further."""

    category = CategoryRefSerializer()
    body = BodyRefSerializer()
    accept_level_display = serializers.CharField(source="get_accept_level_display")
    modes = serializers.SerializerMethodField()
    apply_online = serializers.SerializerMethodField(
        help_text="Whether a resident may apply for it on the portal (online, or "
        "through the village sub-center)."
    )
    is_demo = serializers.BooleanField(
        read_only=True, help_text="The guide is demo data, not a published page."
    )

    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "name",
            "category",
            "body",
            "item_type",
            "accept_level",
            "accept_level_display",
            "modes",
            "promised_days",
            "online",
            "apply_online",
            "is_demo",
        ]
        list_serializer_class = ServiceItemListSerializer

    @extend_schema_field(ModeSerializer(many=True))
    def get_modes(self, item: ServiceItem) -> list[dict[str, str]]:
        return _modes(item)

    def get_apply_online(self, item: ServiceItem) -> bool:
        return guide_rules.accepts_online_application(item)


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = [
            "id",
            "key",
            "name",
            "required",
            "copies",
            "original",
            "source",
            "check_points",
        ]
        extra_kwargs = {
            "id": {
                "help_text": "Upload its file as the form field `material_<id>` "
                "(POST requests/ and requests/{number}/materials/)."
            },
            "copies": {
                "help_text": "How many copies are handed in; 0: none, the original "
                "is only shown."
            },
        }


class FaqSerializer(serializers.Serializer):
    q = serializers.CharField(help_text="The question.")
    a = serializers.CharField(help_text="The answer.")


class CorrectionSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="What was corrected in the guide.")
    basis = serializers.CharField(help_text="The law, regulation or rule relied on.")
    source = serializers.CharField(
        allow_blank=True,
        help_text="Where it was checked; empty when no published text was found.",
    )


class ModeSentenceSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=HandlingMode.choices)
    text = serializers.CharField()
    is_demo = serializers.BooleanField(
        help_text="It quotes a sub-center's demo data (trip days, phone)."
    )


class ServiceDetailSerializer(ServiceItemSerializer):
    """A service's full guide, as its page on the portal shows it."""

    # Context: `town` (or None) and `village`, the resident's village the sentences
    # are for (or None).

    item_type_display = serializers.CharField(source="get_item_type_display")
    decide_level_display = serializers.CharField(source="get_decide_level_display")
    steps = serializers.ListField(child=serializers.CharField())
    faq = FaqSerializer(many=True)
    materials = MaterialSerializer(many=True)
    who_handles = serializers.SerializerMethodField(
        help_text="Who accepts and who decides, in one sentence."
    )
    mode_sentences = serializers.SerializerMethodField(
        help_text="How each mode works for the resident (for `village` if given)."
    )
    village = serializers.SerializerMethodField(
        help_text="The village the sentences are for (the `village` parameter)."
    )
    village_matters = serializers.SerializerMethodField(
        help_text="Whether the sentences change with the resident's village."
    )
    in_person_sentence = serializers.SerializerMethodField(
        help_text="For an item handled only in person at a window (the police "
        "station, a school): where to go; empty for the others."
    )
    corrections = CorrectionSerializer(
        many=True, help_text="What was corrected in this guide, on what basis."
    )
    page_url = serializers.CharField(source="get_absolute_url")

    class Meta(ServiceItemSerializer.Meta):
        fields = [
            *ServiceItemSerializer.Meta.fields,
            "item_type_display",
            "decide_level",
            "decide_level_display",
            "decided_by",
            "level_note",
            "who_handles",
            "mode_sentences",
            "village",
            "village_matters",
            "in_person",
            "in_person_sentence",
            "for_persons",
            "for_organizations",
            "conditions",
            "legal_basis",
            "materials",
            "no_materials_note",
            "steps",
            "statutory_days",
            "statutory_note",
            "fee",
            "visits",
            "delivery",
            "place",
            "hours",
            "inquiry_phone",
            "complaint_phone",
            "contact_is_demo",
            "faq",
            "source",
            "source_title",
            "source_url",
            "source_note",
            "corrections",
            "updated_at",
            "page_url",
        ]

    def get_who_handles(self, item: ServiceItem) -> str:
        return guide_rules.who_handles(item, self.context.get("town"))

    @extend_schema_field(ModeSentenceSerializer(many=True))
    def get_mode_sentences(self, item: ServiceItem) -> list[dict[str, Any]]:
        return [
            {"mode": s.mode.value, "text": s.text, "is_demo": s.demo}
            for s in guide_rules.mode_sentences(item, village=self.context["village"])
        ]

    def get_in_person_sentence(self, item: ServiceItem) -> str:
        return guide_rules.in_person_sentence(item)

    def get_village(self, item: ServiceItem) -> str | None:
        village = self.context["village"]
        return village.code if village is not None else None

    def get_village_matters(self, item: ServiceItem) -> bool:
        return guide_rules.depends_on_village(item)


class ServiceWindowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceWindow
        fields = ["code", "name"]


class SubCenterSerializer(serializers.ModelSerializer):
    trip_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7),
        help_text="ISO weekdays (1 = Monday) on which the village agent takes "
        "scheduled-agency cases to the town.",
    )
    trip_days_text = serializers.SerializerMethodField()
    windows = ServiceWindowSerializer(many=True)

    class Meta:
        model = SubCenter
        fields = [
            "name",
            "address",
            "phone",
            "hours",
            "trip_weekdays",
            "trip_days_text",
            "windows",
            "is_demo",
        ]
        extra_kwargs = {
            "is_demo": {
                "help_text": "Address, phone, hours and trip days are demo values "
                "until the town confirms them."
            }
        }

    def get_trip_days_text(self, sub_center: SubCenter) -> str:
        return (
            guide_rules.trip_days_text(sub_center.trip_weekdays)
            if sub_center.trip_weekdays
            else ""
        )


class VillageSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    sub_center = SubCenterSerializer(
        allow_null=True, help_text="Null while the village has no sub-center."
    )
    page_url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Village
        fields = [
            "code",
            "name",
            "kind",
            "kind_display",
            "committee_name",
            "group_count",
            "order",
            "sub_center",
            "page_url",
        ]
