"""Open311 GeoReport v2 at ``/open311/v2/``, in JSON and XML, for existing civic tools."""
