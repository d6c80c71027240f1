"""Create the demo accounts documented in README.md (safe to run again)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from services.models import Body
from villages.actions import user_create
from villages.choices import Role
from villages.models import Grid, User, Village
from villages.verification import user_mark_phone_verified

DEMO_PASSWORD = "huagang-demo-2026"

# (phone, name, role, village code, body codes) — all clearly demo people.
DEMO_ACCOUNTS = [
    ("13800000001", "演示官员", Role.OFFICIAL, None, []),
    (
        "13800000002",
        "演示镇中心办事员",
        Role.TOWN_CLERK,
        None,
        ["service-center", "social-management"],
    ),
    ("13800000003", "演示村级办事员", Role.VILLAGE_CLERK, "340123106001", []),
    ("13800000004", "演示居民", Role.RESIDENT, None, []),
    ("13800000005", "演示网格员", Role.GRID_WORKER, None, []),
    # The police station's window (户籍窗口): the 户口 items of the life events
    # (出生登记, 死亡注销) reach its queue.
    ("13800000006", "演示派出所户籍窗口", Role.TOWN_CLERK, None, ["police-station"]),
]
# The demo grid worker serves this grid (data/grids.yaml): 花岗社区's first grid.
DEMO_GRID = ("340123106001", 1)


class Command(BaseCommand):
    help = (
        "Create demo accounts (an official, two clerks, a resident, a grid worker, "
        "the police station's window) for a first look."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        created = []
        for phone, name, role, village_code, body_codes in DEMO_ACCOUNTS:
            if User.objects.filter(phone=phone).exists():
                continue
            village = None
            if village_code:
                village = Village.objects.filter(code=village_code).first()
                if village is None:
                    raise CommandError("Load the town data first (make run does).")
            user = user_create(
                phone=phone,
                name=name,
                role=role,
                password=DEMO_PASSWORD,
                village=village,
            )
            for body in Body.objects.filter(code__in=body_codes):
                body.clerks.add(user)
            if role == Role.GRID_WORKER:
                village_code, number = DEMO_GRID
                Grid.objects.filter(
                    village__code=village_code, number=number, worker__isnull=True
                ).update(worker=user)
            if role == Role.RESIDENT:
                # as if registered with a code: requests entered for the number are theirs
                user_mark_phone_verified(user=user)
            created.append(user)
        if not created:
            self.stdout.write("Demo accounts already exist (see README.md).")
            return
        self.stdout.write("Demo accounts (demo data, for trying the portal only):")
        for user in created:
            self.stdout.write(
                f"  {user.get_role_display():<12} {user.phone}  password: {DEMO_PASSWORD}"
            )
