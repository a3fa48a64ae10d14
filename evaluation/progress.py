"""How long-running steps report progress, without tying `evaluation` to a terminal library."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives named steps and how far each has got; `service.cli` draws them with Rich."""

    def start(self, description: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def note(self, message: str) -> None: ...


class SilentProgress:
    """Reports nothing."""

    def start(self, description: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def note(self, message: str) -> None:
        pass
