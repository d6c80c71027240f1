"""What the tests of the requests endpoints share: the roles, addresses and small
helpers (their fixtures are in ``requests_fixtures``, a plugin each module names)."""

PHONE = "13955550123"  # the `submit` fixture's applicant
ID_NUMBER = "11010519491231002X"
LIST = "/api/v1/requests/"
LOOKUP = "/api/v1/requests/lookup/"

ROLES = (
    "anon",
    "owner",
    "other_resident",
    "clerk_a",
    "clerk_b",
    "town_x",
    "town_y",
    "official",
    "key_clerk",
)


def url(service_request, tail: str = "") -> str:
    return f"{LIST}{service_request.tracking_number}/{tail}"


def numbers(response) -> list[str]:
    return [row["tracking_number"] for row in response.json()["results"]]
