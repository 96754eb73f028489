"""Prefect's logs in the CLI: expected errors without tracebacks, queued logs sent at exit.

A flow run that fails on a validation error (a bad parameter, an empty period) makes Prefect
log the error twice with its full traceback, once for the task and once for the flow
("Encountered exception during execution", ~75 lines), before the CLI prints the same error
in one ``error:`` line. The traceback says nothing to the user there: it is the error's own
message and Prefect's engine frames. Real bugs keep theirs.
"""

from __future__ import annotations

import copy
import logging
import sys

__all__ = ["flush_prefect_logs", "hide_tracebacks_of"]


class _WithoutTracebacks(logging.Formatter):
    """Format like ``inner``, leaving out the traceback of the ``expected`` errors."""

    def __init__(
        self, inner: logging.Formatter | None, expected: tuple[type[BaseException], ...]
    ) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()
        self.expected = expected

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record``; for an expected error, a copy without its traceback."""
        if record.exc_info and isinstance(record.exc_info[1], self.expected):
            # A copy: the same record also reaches the API handler, and the run's log in
            # the UI keeps the traceback.
            record = copy.copy(record)
            record.exc_info = None
            record.exc_text = None
        return self.inner.format(record)


def hide_tracebacks_of(*expected: type[BaseException]) -> None:
    """Show errors of the ``expected`` types in the terminal without their tracebacks.

    Wraps the formatter of Prefect's console handler (on the root logger, where flow and
    task run records arrive by propagation); the API handler is left alone, so the run's
    logs on the server keep the whole traceback. Call it after Prefect is imported
    (importing it configures logging); calling it again adds the new types.
    """
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if not isinstance(handler, PrefectConsoleHandler):
            continue
        current = handler.formatter
        if isinstance(current, _WithoutTracebacks):
            current.expected = (*current.expected, *expected)
        else:
            handler.setFormatter(_WithoutTracebacks(current, expected))


def flush_prefect_logs(timeout: float = 5.0) -> None:
    """Send the run logs Prefect still holds to its API, if Prefect was used at all.

    Python drains Prefect's log worker in threading's exit hooks, which run before the
    ``atexit`` hook that stops the temporary server. ``cli.main`` runs the ``atexit`` hooks
    itself and leaves with ``os._exit``, so it must drain first: otherwise the server is
    gone when the last batch is sent and the worker prints "--- Error logging to API ---".
    """
    handlers = sys.modules.get("prefect.logging.handlers")
    if handlers is None:  # Prefect never imported: nothing queued, and no import cost
        return
    handlers.APILogWorker.drain_all(timeout=timeout)
