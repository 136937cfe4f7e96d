"""One error type for everything a user can fix: it names the file, the line and what to do."""

from __future__ import annotations

from pathlib import Path


class SiteError(Exception):
    """A problem in the site's input (content, config, theme) that the user can act on."""

    def __init__(
        self,
        message: str,
        file: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint

    def __reduce__(self) -> tuple[type[SiteError], tuple[str, str | None, int | None, str | None]]:
        # Keep file, line and hint when sent back from a worker process.
        return (self.__class__, (self.message, self.file, self.line, self.hint))

    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        loc = self.location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class SiteErrors(Exception):
    """Several independent problems found in one pass, reported together."""

    def __init__(self, errors: list[SiteError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
