"""What a person watching a run sees: a live progress display and the evaluation table (rich)."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .evaluation import Evaluation, TypeScore
from .feeder import FeedStatus


def _clock(seconds: float) -> str:
    return str(timedelta(seconds=int(max(seconds, 0))))


class ProgressDisplay:
    """A rich progress display fed by the feeder's on_progress callback."""

    def __init__(self, console: Console, history_s: float) -> None:
        self.history_s = history_s
        self.progress = Progress(
            TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
            TimeRemainingColumn(), console=console, transient=False,
        )
        self.clock = self.progress.add_task("scenario clock", total=None, info="")
        self.fixes = self.progress.add_task("fixes sent", total=None, info="")
        self.actions = self.progress.add_task("checkpoint & paperwork", total=None, info="")

    def __enter__(self) -> "ProgressDisplay":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def update(self, s: FeedStatus) -> None:
        behind = s.now_s - self.history_s
        phase = s.phase if s.phase != "live" else f"live +{_clock(behind)}"
        self.progress.update(self.clock, description=f"scenario clock ({phase})", total=int(s.end_s),
                             completed=int(min(s.now_s, s.end_s)), info=f"{_clock(s.now_s)} of {_clock(s.end_s)}")
        self.progress.update(self.fixes, total=s.fixes_total, completed=s.fixes_sent,
                             info=f"accepted {s.accepted}, duplicates {s.duplicates}, refused {s.rejected}")
        self.progress.update(self.actions, total=s.actions_total, completed=s.actions_done + s.failed_actions,
                             info=f"trips {s.trips}, failed {s.failed_actions}, requests {s.requests}")


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def evaluation_table(evaluation: Evaluation, title: str = "Detection against the injected truth") -> Table:
    table = Table(title=title)
    for column, justify in (("signal", "left"), ("source", "left"), ("TP", "right"), ("FP", "right"),
                            ("FN", "right"), ("n/o", "right"), ("precision", "right"), ("recall", "right")):
        table.add_column(column, justify=justify)
    for row in evaluation.rows:
        table.add_row(row.name, f"{row.source}: {row.type}", str(row.tp), str(row.fp), str(row.fn),
                      str(row.not_observable) if row.not_observable else "", _ratio(row.precision), _ratio(row.recall),
                      style=_style(row))
    return table


def _style(row: TypeScore) -> str | None:
    worst = min((v for v in (row.precision, row.recall) if v is not None), default=None)
    if worst is None:
        return "dim"
    return None if worst >= 0.95 else "yellow" if worst >= 0.5 else "red"

