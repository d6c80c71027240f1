"""Words residents type for what the catalog calls otherwise (低保 for 最低生活保障)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SearchSynonym(models.Model):
    """One word residents type, and the catalog's own wording it stands for.

    Every word that stands for the same term forms a group with that term: a search for
    any of them (or for the term) finds what a search for each of the others finds, and
    items whose name holds the term rank first. Officials extend the list in the admin;
    ``load_town_data`` adds the groups in ``data/synonyms.yaml`` and never deletes a row.
    """

    word = models.CharField(
        _("word residents type"),
        max_length=30,
        unique=True,
        help_text=_("A common name or abbreviation, e.g. 低保."),
        error_messages={"unique": _("This word is already a synonym.")},
    )
    term = models.CharField(
        _("catalog wording"),
        max_length=30,
        help_text=_(
            "The wording the item names use, e.g. 最低生活保障. Words with the same "
            "wording find the same items."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["term", "word"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(word=F("term")),
                name="synonym_word_is_not_its_term",
                violation_error_message=_(
                    "The word and the catalog wording must differ."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.term}"

    def clean(self) -> None:
        """Keep groups one level deep: a word is never itself some group's wording,
        and a wording is never itself a word (so 老人 → 老年人 → … cannot chain)."""
        self.word, self.term = self.word.strip(), self.term.strip()
        others = SearchSynonym.objects.exclude(pk=self.pk)
        errors = {}
        if others.filter(term__iexact=self.word).exists():
            errors["word"] = _(
                "This word is already the catalog wording of other synonyms."
            )
        if others.filter(word__iexact=self.term).exists():
            errors["term"] = _(
                "This wording is itself a synonym; use the wording it stands for."
            )
        if errors:
            raise ValidationError(errors)
