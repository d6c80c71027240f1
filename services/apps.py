from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Public services")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from villages.models import Village

        from .caching import install_catalog_triggers
        from .models import ServiceItem
        from .selectors.api import catalog_names_forget

        post_migrate.connect(
            install_catalog_triggers,
            sender=self,
            dispatch_uid="services.install_catalog_triggers",
        )
        # The API's lists name items and villages from a copy kept in the process.
        for model in (ServiceItem, Village):
            for signal in (post_save, post_delete):
                signal.connect(
                    catalog_names_forget,
                    sender=model,
                    dispatch_uid=f"services.catalog_names_forget.{model.__name__}",
                )
