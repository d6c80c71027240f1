"""What every workbench view shares: who may open it at all."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from ... import access


def _members_only(
    allowed: Callable[..., bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Staff only: a visitor not signed in is sent to sign in (302), anyone else who is not
# staff (a resident) gets 403. What a staff member sees in the view is still scoped by
# ``services.access``.
staff_required = _members_only(access.is_staff_member)
# Clerks and officials only (``access.is_office_staff``): a grid worker gets 403 too.
office_staff_required = _members_only(access.is_office_staff)
