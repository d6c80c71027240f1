from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Villages and staff")

    def ready(self) -> None:
        from . import signals

        signals.connect()
