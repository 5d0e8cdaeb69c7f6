"""Provides ``extract_docs``: the ``# comment`` documenting each name a config scope assigns.

The doc of a name is the inline comment on its assignment's line, else the nearest comment line directly
above it (blank lines skipped, a line of code stops the search). print_config shows these docs.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Iterator

from core.config.scope_compile import target_names
from core.config.scope_source import ScopeSource
from core.settings import SETTINGS

_NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
             tokenize.ENDMARKER}


def extract_docs(source: ScopeSource) -> dict[str, str]:
    """Map every name assigned at scope level (also inside if/for/with/try blocks) to its comment doc.

    The first assignment of a name that has a doc wins. Comments matching
    ``SETTINGS.CONFIG.IGNORED_COMMENTS`` (e.g. ``# pylint: ...``) are never docs.
    """
    comments, code_lines = _scan(source)
    if not comments:
        return {}
    ignored = [re.compile(pattern) for pattern in SETTINGS.CONFIG.IGNORED_COMMENTS]
    usable = {line: text for line, text in comments.items() if not any(p.match(text) for p in ignored)}
    docs: dict[str, str] = {}
    for line, name in _assigned_names(source.node.body):
        if name not in docs:
            doc = _doc_for(line, usable, code_lines, source.node.lineno)
            if doc is not None:
                docs[name] = doc
    return docs


def _scan(source: ScopeSource) -> tuple[dict[int, str], set[int]]:
    """Comments by file line, and the file lines that hold code (multi-line tokens count on every line)."""
    comments: dict[int, str] = {}
    code_lines: set[int] = set()
    offset = source.line_offset
    try:
        for token in tokenize.generate_tokens(io.StringIO(source.text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0] + offset] = token.string[1:].strip()
            elif token.type not in _NOT_CODE:
                code_lines.update(range(token.start[0] + offset, token.end[0] + offset + 1))
    except (tokenize.TokenError, SyntaxError):
        return {}, set()
    return comments, code_lines


def _doc_for(line: int, usable: dict[int, str], code_lines: set[int], first_line: int) -> str | None:
    """The inline comment of ``line``, else the nearest usable comment line above it."""
    if line in usable:
        return usable[line]
    above = line - 1
    while above > first_line and above not in code_lines:
        if above in usable:
            return usable[above]
        above -= 1
    return None


def _assigned_names(statements: list[ast.stmt]) -> Iterator[tuple[int, str]]:
    """(line, name) for each assignment at scope level, in source order, entering compound statements."""
    for statement in statements:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                yield from ((statement.lineno, name) for name in target_names(target))
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            yield from ((statement.lineno, name) for name in target_names(statement.target))
        elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for block in _blocks(statement):
                yield from _assigned_names(block)


def _blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists nested in a compound statement (if/for/while/with/try/match)."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(statement, field, None)
        if isinstance(block, list):
            yield block
    for handler in getattr(statement, "handlers", ()):
        yield handler.body
    for case in getattr(statement, "cases", ()):
        yield case.body
