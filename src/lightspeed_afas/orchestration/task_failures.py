"""Expected task failures: the data or the params are wrong, not the code.

Such a failure ends its task at once (an ``AirflowFailException``: a retry would meet the same data) with
a one-line message that says what failed and what to do. ``orchestration.entry.run_step`` raises it
without the pipeline's frames: Airflow 3.3's task runner logs every failing exception with its traceback,
and for these the frames say nothing the message does not. What the run did is logged before, as a table.
"""

from __future__ import annotations

from airflow.sdk.exceptions import AirflowFailException


class ExpectedTaskFailure(AirflowFailException):
    """A task failure whose message is the whole story (what failed, what to do); no retry."""
