"""A notification backend for the worker test: a gateway that can be told to hang once.

When the file named by HUAGANG_TEST_SLOW_MARKER says "armed", the next send writes
"sleeping" there and hangs, so the test can kill the worker in the middle of the task.
Every send that completes appends the notification's key to HUAGANG_TEST_SENT_LOG: what
a real gateway would have delivered.
"""

import os
import time
from pathlib import Path


class SlowOnceBackend:
    def send(self, notification) -> None:
        marker = Path(os.environ["HUAGANG_TEST_SLOW_MARKER"])
        if marker.exists() and marker.read_text() == "armed":
            marker.write_text("sleeping")
            time.sleep(120)
        with Path(os.environ["HUAGANG_TEST_SENT_LOG"]).open("a") as log:
            log.write(f"{notification.idempotency_key}\n")
