"""The Celery application.

Without CELERY_BROKER_URL the settings make every task run eagerly in-process, so the
embedded default needs no broker; with a Redis URL tasks go to a worker.
"""

import logging.config
import os

from celery import Celery, signals

from . import log_context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huagang.settings.base")

app = Celery("huagang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Logs: a task's lines carry its id and the id of the request that queued it
# (huagang/log_context.py); a worker logs through Django's LOGGING (JSON in
# production) instead of Celery's own format.
@signals.setup_logging.connect(dispatch_uid="huagang.celery.logging")
def _use_django_logging(**_kwargs) -> None:
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


signals.before_task_publish.connect(
    log_context.task_published, dispatch_uid="huagang.log_context.published"
)
signals.task_prerun.connect(
    log_context.task_started, dispatch_uid="huagang.log_context.started"
)
signals.task_postrun.connect(
    log_context.task_finished, dispatch_uid="huagang.log_context.finished"
)
