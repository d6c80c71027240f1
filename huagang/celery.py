"""The Celery application.

Without CELERY_BROKER_URL the settings make every task run eagerly in-process, so the
embedded default needs no broker; with a Redis URL tasks go to a worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huagang.settings.base")

app = Celery("huagang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
