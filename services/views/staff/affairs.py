"""/staff/affairs/: village affairs in public (党务、村务、财务公开) on the workbench.

A village clerk drafts their village's disclosures, attaches PDFs and submits them;
an official approves or returns them with a reason. Who sees and does what is
``services.access`` (``staff_disclosures_q``, ``may_draft_disclosure``,
``disclosure_roles``); the writes are ``services.actions.disclosures``. Staff who may
not see a disclosure get 404; who see it but may not take the step get 403.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huagang.exceptions import DomainError
from huagang.forms import add_input_errors
from villages.models_affairs import Disclosure, DisclosureStatus

from ... import access
from ...actions import disclosures as actions
from ...forms.disclosures import (
    DisclosureApproveForm,
    DisclosureFileForm,
    DisclosureForm,
    DisclosureReturnForm,
)
from ...selectors import disclosures as selectors
from ...selectors.paging import countless_page
from ._common import office_staff_required

PER_PAGE = 50


@office_staff_required
def disclosure_list(request: HttpRequest) -> HttpResponse:
    found = selectors.disclosures_for_staff(user=request.user)
    page = countless_page(found, request.GET.get("page"), PER_PAGE)
    may_draft = access.may_draft_disclosure(request.user, request.user.village_id)
    context = {"page": page, "may_draft": may_draft}
    return render(request, "staff/affairs_list.html", context)


@office_staff_required
def disclosure_new(request: HttpRequest) -> HttpResponse:
    if not access.may_draft_disclosure(request.user, request.user.village_id):
        raise PermissionDenied
    form = DisclosureForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                made = actions.disclosure_create(
                    village=request.user.village, by=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                add_input_errors(form, exc)
                return _form_page(request, form, None, exc.status_code)
            messages.success(
                request,
                _(
                    "Draft saved. Attach any PDFs (statements, minutes), then submit it."
                ),
            )
            return redirect("staff:disclosure", made.pk)
        return _form_page(request, form, None, 400)
    return _form_page(request, form, None, 200)


def _form_page(
    request: HttpRequest, form: DisclosureForm, disclosure: Disclosure | None, status
) -> HttpResponse:
    context = {"form": form, "disclosure": disclosure}
    return render(request, "staff/affairs_form.html", context, status=status)


def _get(request: HttpRequest, pk: int) -> Disclosure:
    found = selectors.disclosure_for_staff(user=request.user, pk=pk)
    if found is None:
        raise Http404
    return found


def _page(request: HttpRequest, disclosure: Disclosure, status: int = 200, **forms):
    roles = access.disclosure_roles(request.user, disclosure)
    editable = access.may_edit_disclosure(request.user, disclosure)
    reviewing = (
        disclosure.status == DisclosureStatus.SUBMITTED
        and bool(roles)
        and (access.is_official(request.user))
    )
    context = {
        "disclosure": disclosure,
        "editable": editable,
        "reviewing": reviewing,
        "file_form": forms.get("file_form")
        or (DisclosureFileForm() if editable else None),
        "return_form": forms.get("return_form")
        or (DisclosureReturnForm() if reviewing else None),
        "approve_form": forms.get("approve_form")
        or (DisclosureApproveForm() if reviewing else None),
    }
    return render(request, "staff/affairs_detail.html", context, status=status)


@office_staff_required
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _get(request, pk))


@office_staff_required
def disclosure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    if not access.may_draft_disclosure(request.user, disclosure.village_id):
        raise PermissionDenied
    if request.method != "POST" and not disclosure.is_editable:
        messages.error(
            request, _("Only a draft or a returned disclosure can be changed.")
        )
        return redirect("staff:disclosure", disclosure.pk)
    initial = {name: getattr(disclosure, name) for name in actions.EDITABLE_FIELDS}
    form = DisclosureForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return _form_page(request, form, disclosure, 200)
    if not form.is_valid():
        return _form_page(request, form, disclosure, 400)
    try:
        actions.disclosure_update(
            disclosure=disclosure, by=request.user, **form.cleaned_data
        )
    except DomainError as exc:
        add_input_errors(form, exc)
        return _form_page(request, form, disclosure, exc.status_code)
    messages.success(request, _("Saved."))
    return redirect("staff:disclosure", disclosure.pk)


def _step(
    request: HttpRequest, disclosure: Disclosure, act: Callable[[], object], done: str
) -> HttpResponse:
    """Run one action; a refusal is shown on the disclosure's page with its status."""
    try:
        act()
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied from None
        messages.error(request, exc.message)
        return _page(request, disclosure, exc.status_code)
    messages.success(request, done)
    return redirect("staff:disclosure", disclosure.pk)


@office_staff_required
@require_POST
def disclosure_attach(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    if not access.may_draft_disclosure(request.user, disclosure.village_id):
        raise PermissionDenied
    form = DisclosureFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, disclosure, 400, file_form=form)
    try:
        actions.disclosure_attach(
            disclosure=disclosure, by=request.user, upload=form.cleaned_data["file"]
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied from None
        add_input_errors(form, exc)
        return _page(request, disclosure, exc.status_code, file_form=form)
    messages.success(request, _("The PDF is attached."))
    return redirect("staff:disclosure", disclosure.pk)


@office_staff_required
def disclosure_file_delete(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """GET asks to confirm; POST removes the PDF from the draft."""
    disclosure = _get(request, pk)
    found = next((f for f in disclosure.files.all() if f.pk == file_pk), None)
    if found is None:
        raise Http404
    if not access.may_draft_disclosure(request.user, disclosure.village_id):
        raise PermissionDenied
    if request.method != "POST":
        context = {"disclosure": disclosure, "file": found}
        return render(request, "staff/affairs_file_delete.html", context)
    return _step(
        request,
        disclosure,
        lambda: actions.disclosure_file_delete(file=found, by=request.user),
        _("The PDF is removed."),
    )


@office_staff_required
@require_POST
def disclosure_submit(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    act = lambda: actions.disclosure_submit(disclosure=disclosure, by=request.user)  # noqa: E731
    return _step(request, disclosure, act, _("Submitted for approval."))


@office_staff_required
@require_POST
def disclosure_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Publishing cannot be undone: the official ticks a confirmation first."""
    disclosure = _get(request, pk)
    if not access.is_official(request.user):
        raise PermissionDenied
    form = DisclosureApproveForm(request.POST)
    if not form.is_valid():
        return _page(request, disclosure, 400, approve_form=form)
    act = lambda: actions.disclosure_approve(disclosure=disclosure, by=request.user)  # noqa: E731
    return _step(request, disclosure, act, _("Approved: it is now public."))


@office_staff_required
@require_POST
def disclosure_return(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _get(request, pk)
    if not access.is_official(request.user):
        raise PermissionDenied
    form = DisclosureReturnForm(request.POST)
    if not form.is_valid():
        return _page(request, disclosure, 400, return_form=form)
    reason = form.cleaned_data["reason"]
    act = lambda: actions.disclosure_return(  # noqa: E731
        disclosure=disclosure, by=request.user, reason=reason
    )
    return _step(request, disclosure, act, _("Returned to the clerk with the reason."))


urlpatterns = [
    path("affairs/", disclosure_list, name="disclosures"),
    path("affairs/new/", disclosure_new, name="disclosure_new"),
    path("affairs/<int:pk>/", disclosure_detail, name="disclosure"),
    path("affairs/<int:pk>/edit/", disclosure_edit, name="disclosure_edit"),
    path("affairs/<int:pk>/attach/", disclosure_attach, name="disclosure_attach"),
    path(
        "affairs/<int:pk>/files/<int:file_pk>/delete/",
        disclosure_file_delete,
        name="disclosure_file_delete",
    ),
    path("affairs/<int:pk>/submit/", disclosure_submit, name="disclosure_submit"),
    path("affairs/<int:pk>/approve/", disclosure_approve, name="disclosure_approve"),
    path("affairs/<int:pk>/return/", disclosure_return, name="disclosure_return"),
]
