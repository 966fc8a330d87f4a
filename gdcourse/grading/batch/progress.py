"""A progress line with an estimate of the time left, for long grading batches."""
import sys
import time
from typing import TextIO


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """`done(ok)` after each item; on a terminal one line redrawn in place, elsewhere (a log, CI)
    a line every `every` seconds. The rate is measured from the first finished item, so that
    starting the workers does not count as grading time."""

    def __init__(self, total: int, label: str = "graded", stream: TextIO | None = None,
                 every: float = 10.0, width: int = 30):
        self.total, self.label, self.width, self.every = total, label, width, every
        self.stream = stream or sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.count = self.failed = 0
        self.started = time.monotonic()
        self.first: float | None = None
        self.shown = 0.0

    def rate(self) -> float | None:
        """Seconds per item since the first one finished (None before two have)."""
        if self.first is None or self.count < 2:
            return None
        return (time.monotonic() - self.first) / (self.count - 1)

    def line(self) -> str:
        filled = int(self.width * self.count / self.total) if self.total else self.width
        parts = [f"[{'#' * filled}{'.' * (self.width - filled)}] {self.count}/{self.total} {self.label}"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        rate = self.rate()
        if rate is not None:
            parts.append(f"{rate:.2f} s each")
            if self.count < self.total:
                parts.append(f"about {duration(rate * (self.total - self.count))} left")
        parts.append(f"{duration(time.monotonic() - self.started)} so far")
        return " · ".join(parts)

    def done(self, ok: bool = True) -> None:
        self.count += 1
        self.failed += 0 if ok else 1
        if self.first is None:
            self.first = time.monotonic()
        now = time.monotonic()
        if self.live:
            self.stream.write("\r" + self.line() + ("\n" if self.count == self.total else ""))
            self.stream.flush()
        elif now - self.shown >= self.every or self.count == self.total:
            self.shown = now
            print(self.line(), file=self.stream, flush=True)

    def note(self, text: str) -> None:
        """A line of its own (a failure, say), without breaking the progress line."""
        if self.live:
            self.stream.write("\r" + " " * 100 + "\r")
        print(text, file=self.stream, flush=True)
