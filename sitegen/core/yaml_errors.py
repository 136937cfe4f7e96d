"""YAML syntax errors as a user can act on them: the line where the problem starts, and a
hint that fits what is wrong.

PyYAML reports where it gave up (`problem_mark`), which for an unclosed `[`, `{` or quote is
where the YAML ends, and keeps where the unfinished construct began in `context_mark`. That
beginning is the line to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

# context (what PyYAML was reading) -> (what the user opened, how to close it)
_OPENED = {
    "while parsing a flow sequence": ("a list opened with '['", "close it with ']' on the "
                                      "same line, e.g. tags: [a, b]"),
    "while parsing a flow mapping": ("a mapping opened with '{'", "close it with '}' on the "
                                     "same line, e.g. cover: {image: a.png, alt: A}"),
    "while scanning a quoted scalar": ("a quoted text", "end it with the same quote it starts "
                                       "with; inside \"...\" write \\\" for a quote"),
    "while scanning a block scalar": ("a block text ('|' or '>')", "indent every line of it "
                                      "more than its key"),
}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    message: str
    line: int | None  # 1-based, in the file
    hint: str


def explain(exc: yaml.MarkedYAMLError, offset: int = 0) -> YamlProblem:
    """The user-facing message, the line where the problem starts and a fitting hint;
    `offset`: lines of the file before the YAML text (front matter's opening ---)."""
    problem = (exc.problem or "invalid YAML").strip()
    where = exc.problem_mark or exc.context_mark
    ended = where.line + 1 + offset if where is not None else None
    context = (exc.context or "").strip()
    if context in _OPENED and exc.context_mark is not None:
        what, hint = _OPENED[context]
        start = exc.context_mark.line + 1 + offset
        tail = f" (the YAML parser stopped at line {ended}: {problem})" if ended != start else (
            f" ({problem})")
        return YamlProblem(f"{what} is not closed{tail}", start, hint)
    if "mapping values are not allowed" in problem:
        return YamlProblem(problem, ended, "a value that contains ': ' must be quoted, "
                           'e.g. title: "Floods: what we know"')
    if "found character '\\t'" in problem or "found a tab" in problem:
        return YamlProblem(problem, ended, "indent with spaces, not tabs")
    if "found undefined alias" in problem or "found unknown escape" in problem:
        return YamlProblem(problem, ended, "quote the value: a '*' or '\\' at its start "
                           "means something else in YAML")
    if context == "while parsing a block mapping" or "expected <block end>" in problem:
        return YamlProblem(problem, ended, "check the indentation: keys of one level start in "
                           "the same column, nested keys further right")
    return YamlProblem(problem, ended, "check quoting and indentation")
