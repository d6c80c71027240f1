from django.core.management.base import BaseCommand

from villages.roles import ensure_role_groups


class Command(BaseCommand):
    help = "Create or refresh the role groups and their permissions."

    def handle(self, *args, **options):
        groups = ensure_role_groups()
        self.stdout.write(f"{len(groups)} role groups up to date.")
