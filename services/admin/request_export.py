"""Exporting the officials' request list, exactly as filtered and searched, to Excel or
CSV (``huagang.exports``).

The export link carries the list's own query string to ``…/servicerequest/export/``
(a search by name or phone as its session key ``qs``, see ``request_search``; such a
term typed as ``?q=`` is refused), which builds the same ChangeList (same scope from
``services.access``, same filters, same search, same order) and writes its rows, at most ``exports.MAX_ROWS`` (a last
line says when the list was cut). Every export is recorded in the record of reads
(kind "export", the filter as subject).

Phones, ID numbers and names are masked as on the list. An official may choose a full
export (``access.may_export_in_full``) on a page that asks for a reason: the file
then holds them in clear, and the record says "full" with the reason.
"""

from contextlib import contextmanager
from itertools import chain

from django import forms
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huagang import exports
from huagang.replica import replica_alias
from villages.actions import access_record
from villages.models import AccessRecord
from villages.validators import mask_mobile, mask_name

from .. import access
from ..models import DueState, ServiceRequest
from ..selectors.request_search import search_term_is_personal, search_term_masked
from .request_search import SEARCH_VAR, UnknownSearch, searched_term

EXPORT_VAR = "_export"
FULL_VAR = "_full"


class FullExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("file format"),
        choices=[(exports.XLSX, "Excel (.xlsx)"), (exports.CSV, "CSV")],
        initial=exports.XLSX,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=150,
        help_text=gettext_lazy("What the list is for, e.g. the county's yearly check."),
    )


def _field(name: str) -> str:
    return str(ServiceRequest._meta.get_field(name).verbose_name)


def export_headers(*, full: bool) -> list[str]:
    headers = [
        _field("tracking_number"),
        _field("item"),
        _("responsible body"),
        _field("village"),
        _field("mode"),
        _field("channel"),
        _field("status"),
        _("time limit"),
        _field("due_date"),
        _field("applicant_name"),
        _field("applicant_phone"),
        _field("submitted_at"),
        _field("accepted_at"),
        _field("completed_at"),
    ]
    if full:
        headers += [_field("applicant_id_number"), _field("applicant_address")]
    return headers


# What each row reads: plain values from one query (no model instances: a 100,000-row
# export builds each row in a few microseconds).
_COLUMNS = [
    "tracking_number",
    "item__name",
    "item__body__name",
    "village__name",
    "mode",
    "channel",
    "status",
    "due_flag",
    "due_date",
    "applicant_name",
    "applicant_phone",
    "submitted_at",
    "accepted_at",
    "completed_at",
]
_FULL_COLUMNS = ["applicant_id_number", "applicant_address"]


def _labels(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in ServiceRequest._meta.get_field(name).flatchoices}


def export_rows(queryset, *, full: bool):
    """The rows of `queryset` as the export writes them (masked unless `full`)."""
    labels = {name: _labels(name) for name in ("mode", "channel", "status")}
    flags = {state.value: str(state.label) for state in DueState if state.value}
    columns = _COLUMNS + (_FULL_COLUMNS if full else [])
    with _whole_result_plans(queryset.db):
        for row in queryset.values_list(*columns).iterator(chunk_size=2000):
            row = list(row)
            for index, name in ((4, "mode"), (5, "channel"), (6, "status")):
                row[index] = labels[name].get(row[index], row[index])
            row[7] = flags.get(row[7], "")
            if not full:
                row[9], row[10] = mask_name(row[9]), mask_mobile(row[10])
            yield row


@contextmanager
def _whole_result_plans(alias: str):
    """PostgreSQL plans a cursor's query for its first tenth of rows (a walk along the
    newest-first index, filtering as it goes); an export reads every row, for which a
    bitmap scan and a sort is many times faster. Reset when the export ends or the
    download is abandoned (the generator is closed)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def filter_text(changelist) -> str:
    """The list's filters and (masked) search, as the record of reads keeps them."""
    parts = []
    for key, value in sorted(changelist.get_filters_params().items()):
        values = value if isinstance(value, list) else [value]
        parts.append(f"{key}={','.join(values)}")
    if changelist.query:
        parts.append(f"q={search_term_masked(changelist.query)}")
    return "; ".join(parts) or _("all")


class RequestExportMixin:
    """Adds the export view and the list's export links to a ModelAdmin."""

    def get_urls(self):
        own = [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="services_servicerequest_export",
            )
        ]
        return own + super().get_urls()

    def export_urls(self, request, changelist) -> dict[str, str]:
        base = reverse("admin:services_servicerequest_export")
        query = changelist.get_query_string(remove=["p", "all"])
        join = "&" if query != "?" else ""
        urls = {
            fmt: f"{base}{query}{join}{EXPORT_VAR}={fmt}" for fmt in exports.FORMATS
        }
        if access.may_export_in_full(request.user):
            urls["full"] = f"{base}{query}{join}{FULL_VAR}=1"
        return urls

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        full = FULL_VAR in request.GET
        fmt = request.GET.get(EXPORT_VAR, "")
        if full and not access.may_export_in_full(request.user):
            raise PermissionDenied
        if not full and fmt not in exports.FORMATS:
            return render(request, "400.html", status=400)
        params = request.GET.copy()
        for name in (EXPORT_VAR, FULL_VAR):
            params.pop(name, None)
        request.GET = params
        refused = self._export_search_refused(request)
        if refused:
            return render(request, "400.html", {"reason": refused}, status=400)
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return render(request, "400.html", status=400)
        reason = ""
        if full:
            form = FullExportForm(request.POST if request.method == "POST" else None)
            if not form.is_valid():
                return self._full_export_page(request, changelist, form)
            fmt, reason = form.cleaned_data["format"], form.cleaned_data["reason"]
        return self._export(request, changelist, fmt=fmt, full=full, reason=reason)

    @staticmethod
    def _export_search_refused(request) -> str:
        """Why the export's search cannot be used ("" if it can): a search by name
        or phone comes as the list's ``qs`` key, never as a term in the address.
        Sets ``request.huagang_search_term`` for the list (see ``request_list``)."""
        if search_term_is_personal(request.GET.get(SEARCH_VAR, "")):
            return _(
                "A search by name or phone is not taken from the address: search from "
                "the list's search box, then export from the list."
            )
        try:
            request.huagang_search_term = searched_term(request)
        except UnknownSearch:
            return _(
                "That search is no longer available (searches by name or phone are "
                "kept only in the browser session that made them). Search again from "
                "the list, then export."
            )
        return ""

    def _full_export_page(self, request, changelist, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Full export"),
            "form": form,
            "filter_text": filter_text(changelist),
            "changelist_url": reverse("admin:services_servicerequest_changelist")
            + changelist.get_query_string(),
        }
        return TemplateResponse(
            request, "admin/services/servicerequest/export_full.html", context
        )

    def _export(self, request, changelist, *, fmt: str, full: bool, reason: str):
        queryset = changelist.queryset.using(replica_alias())  # rows read as streamed
        cut = queryset[exports.MAX_ROWS : exports.MAX_ROWS + 1].exists()
        how = _("full") if full else _("masked")
        detail = f"{fmt}; {how}; ~{changelist.result_count}"
        if reason:
            detail += f"; {reason}"
        access_record(
            by=request.user,
            kind=AccessRecord.Kind.EXPORT,
            subject=filter_text(changelist),
            detail=detail,
        )
        rows = export_rows(queryset[: exports.MAX_ROWS], full=full)
        if cut:
            note = _(
                "Only the first %(n)d rows were exported: narrow the filters to "
                "export the rest."
            ) % {"n": exports.MAX_ROWS}
            rows = chain(rows, [[note]])
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return exports.table_response(
            fmt,
            filename=f"{_('service-requests')}-{stamp}",
            headers=export_headers(full=full),
            rows=rows,
            sheet_title=str(ServiceRequest._meta.verbose_name_plural),
        )
