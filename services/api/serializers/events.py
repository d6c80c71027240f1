"""What the life events' endpoints answer (descriptions for the schema; the views
build the answers as plain dictionaries)."""

from rest_framework import serializers


class QuestionOut(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=["yes_no", "choice"])
    options = serializers.ListField(child=serializers.CharField())


class EventItemOut(serializers.Serializer):
    item = serializers.CharField(help_text="The catalog item's code.")
    when = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Question key → the answers under which the item applies "
        "(all must hold; empty: always).",
    )


class LifeEventOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    for_whom = serializers.CharField()
    key_matter = serializers.BooleanField()
    policy_basis = serializers.CharField()
    questions = QuestionOut(many=True)
    items = EventItemOut(many=True)


class LinkedRequestOut(serializers.Serializer):
    tracking_number = serializers.CharField()
    item = serializers.CharField(help_text="The catalog item's code.")
    mode = serializers.CharField()
    status = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)


class ApplicationOut(serializers.Serializer):
    number = serializers.CharField()
    event = serializers.CharField(help_text="The life event's code.")
    submitted_at = serializers.DateTimeField()
    total = serializers.IntegerField(help_text="How many requests are linked.")
    done = serializers.IntegerField(help_text="How many of them are done (办结).")
    closed = serializers.IntegerField(
        help_text="How many of them are closed: done, not accepted or withdrawn."
    )
    requests = LinkedRequestOut(
        many=True, help_text="The linked requests the caller may see."
    )
