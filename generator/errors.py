"""Problems found in the data, and the few exceptions the pipeline raises."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .pickling import Pickled


class Level(Enum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True, order=True, slots=True)
class Where(Pickled):
    """A place in the clerk's files: the file as shown to the clerk, a spreadsheet row, a column."""

    file: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.row is not None:
            text += f" 第{self.row}行"
        if self.column is not None:
            text += f" 「{self.column}」"
        return text


@dataclass(frozen=True)
class Problem:
    where: Where
    message: str
    level: Level = Level.ERROR

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR


class Problems:
    """Collects every problem of a run so they can be reported together, once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, where: Where, message: str) -> None:
        self.items.append(Problem(where, message, Level.ERROR))

    def warn(self, where: Where, message: str) -> None:
        self.items.append(Problem(where, message, Level.WARNING))

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def __bool__(self) -> bool:
        return bool(self.errors)


class PublisherError(Exception):
    """Base of the errors the command line reports in Chinese and exits 1 on."""


class DataError(PublisherError):
    """The data has errors; `problems` holds every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"数据有 {len(problems)} 处错误")


class ConfigError(PublisherError):
    """mkdocs.yml or a command-line option is wrong."""


class UnsafePathError(PublisherError):
    """An output path would leave the site folder."""
