"""Making rows on one core while the database writes them on the other.

A forked producer process runs the generators with a `ShippingWriter` in place of the `BulkWriter`:
the same `add()`, `commit()` and value converters, but rows travel in batches through a queue to the
parent, which writes them in the order they were made. One producer makes everything in sequence, so
the ids and the random draws (and so the rows) are the same as in a single process.
"""

import multiprocessing
import threading
import traceback
from collections.abc import Callable

from .bulk import FLUSH_ROWS, BulkWriter

COMMIT = "commit"
DONE = "done"
QUEUED_BATCHES = 4  # bounds the memory held in flight


class ProducerFailed(RuntimeError):
    """The producer process raised; the message carries its traceback."""


class ShippingWriter:
    """Collects rows like a BulkWriter and ships them to the parent in batches."""

    def __init__(self, queue, writer: BulkWriter):
        self.queue = queue
        self.sqlite = writer.sqlite
        self.moment, self.day, self.clock = writer.moment, writer.day, writer.clock
        self.buffers: dict[str, list[tuple]] = {name: [] for name in writer.tables}
        self.pending = 0

    def add(self, name: str, row: tuple) -> None:
        """Queue a row; a full batch is shipped."""
        self.buffers[name].append(row)
        self.pending += 1
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Ship what is collected (tables in registration order: parents first)."""
        if self.pending:
            self.queue.put({name: rows for name, rows in self.buffers.items() if rows})
            self.buffers = {name: [] for name in self.buffers}
            self.pending = 0

    def commit(self) -> None:
        """Ship the rest and ask the parent to commit."""
        self.flush()
        self.queue.put(COMMIT)

    def phase(self, name: str) -> None:
        """Tell the parent a part is complete (for its timings)."""
        self.flush()
        self.queue.put(("phase", name))


def _produce(work: Callable[[ShippingWriter], None], queue, writer: BulkWriter) -> None:
    """The producer's body: run the work, then say it is done (or ship the error)."""
    try:
        shipper = ShippingWriter(queue, writer)
        work(shipper)
        shipper.commit()
        queue.put(DONE)
    except BaseException:  # everything must reach the parent, which raises it
        queue.put(("error", traceback.format_exc()))


def run_in_producer(
    writer: BulkWriter, work: Callable[[ShippingWriter], None], on_phase: Callable[[str], None]
) -> None:
    """Run `work` in a forked process and write what it ships; in this process where fork is missing or unsafe."""
    # Forking a process that runs other threads can deadlock the child (a lock held by a thread that is gone).
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        writer.on_phase = on_phase
        work(writer)  # type: ignore[arg-type]  # a BulkWriter has the same add, commit, phase and converters
        return
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=QUEUED_BATCHES)
    process = context.Process(target=_produce, args=(work, queue, writer), daemon=True)
    process.start()
    try:
        while True:
            message = queue.get()
            if message == DONE:
                break
            if message == COMMIT:
                writer.commit()
            elif isinstance(message, tuple) and message[0] == "phase":
                on_phase(message[1])
            elif isinstance(message, tuple):
                raise ProducerFailed(message[1])
            else:
                for name, rows in message.items():
                    writer.extend(name, rows)
        process.join()
    finally:
        if process.is_alive():
            process.terminate()
            process.join()
