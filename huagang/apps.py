from django.apps import AppConfig


class HuagangConfig(AppConfig):
    """The project package: templates, template tags, commands, middleware."""

    name = "huagang"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .guard import staff_signed_in

        user_logged_in.connect(staff_signed_in, dispatch_uid="huagang_staff_signed_in")
