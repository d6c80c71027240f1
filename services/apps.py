from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Public services")

    def ready(self) -> None:
        from .caching import install_catalog_triggers

        post_migrate.connect(
            install_catalog_triggers,
            sender=self,
            dispatch_uid="services.install_catalog_triggers",
        )
