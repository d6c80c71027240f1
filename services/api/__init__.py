"""The REST API, ``/api/v1/``: other systems' and scripts' door to the same engine.

Thin like the pages: each view validates its input with a small serializer, asks
``services.access`` and calls one action or selector, and serializes the result. The
pieces every endpoint shares live here once:

- ``errors``: one error body everywhere (``code``, ``message``, ``errors``);
- ``authentication``: the session for the browser, ``Authorization: Token hg_…`` for
  systems (``villages.models.ApiToken``, made and revoked by officials in the admin);
- ``throttling``: limits for anonymous callers and per key;
- ``pagination``: cursor pagination, never a COUNT(*) or a deep OFFSET;
- ``urls``: the endpoints, the OpenAPI schema and its offline documentation.
"""
