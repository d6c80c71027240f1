"""The API's views, one module per area; each lists its own ``urlpatterns``."""
