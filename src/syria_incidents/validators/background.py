"""Work handed to a background thread: polars releases the GIL, so two cores share it."""

from __future__ import annotations

import threading
from queue import Empty, Queue


def prefetched(items, ahead: int = 1):
    """Iterate ``items`` in a background thread, ``ahead`` items in advance.

    Exceptions of the thread are raised here.
    """
    queue: Queue = Queue(maxsize=ahead)
    stop = threading.Event()
    done = object()

    def produce():
        try:
            for item in items:
                if stop.is_set():
                    return
                queue.put((item, None))
            queue.put((done, None))
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put((done, exc))

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while True:
            item, exc = queue.get()
            if exc is not None:
                raise exc
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # let a blocked producer finish its put and see the stop
            try:
                queue.get(timeout=0.05)
            except Empty:
                pass
        worker.join()
