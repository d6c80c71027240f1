"""A notification backend for the worker test: it can be told to hang once.

When the file named by HUAGANG_TEST_SLOW_MARKER says "armed", the next send writes
"sleeping" there and hangs, so the test can kill the worker in the middle of the task.
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
