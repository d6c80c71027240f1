"""The town's structure: its ten bodies ("一中心、两办、七局") and the register of
powers the county delegated to it (县级下放事项). Cached fragments, like the catalog."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from .. import town_facts
from ..caching import catalog_page
from ..selectors import structure as selectors


@catalog_page
def town_structure(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/structure.html",
        {
            "bodies": SimpleLazyObject(lambda: list(selectors.bodies_with_items())),
            "facts": town_facts,
        },
    )


@catalog_page
def delegated_powers(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/delegated_powers.html",
        {
            "register": SimpleLazyObject(selectors.delegated_powers_register),
            "facts": town_facts,
        },
    )
