"""Provides ``read_scope_source``: a config scope function's parsed ``def`` with file line numbers, checked.

A config scope's body is run as a block of statements, so the checks that make that safe (no
``return``/``yield``, parameters without ``*args``, ``**kwargs`` or defaults) happen here, at decoration
time, with errors that name the function, its file and the offending line.
"""
from __future__ import annotations

import __future__
import ast
import functools
import inspect
import operator
import os
from dataclasses import dataclass
from typing import Callable

from core.errors import ConfigScopeError

_FUTURE_FLAGS = functools.reduce(operator.or_, (getattr(__future__, feature).compiler_flag
                                                 for feature in __future__.all_feature_names), 0)
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_FORBIDDEN = {ast.Return: "return", ast.Yield: "yield", ast.YieldFrom: "yield from", ast.Await: "await"}


@dataclass(frozen=True)
class ScopeSource:
    """The checked source of one config scope.

    Attributes:
        name: the function's name.
        filename: the file the function was defined in (as in tracebacks).
        node: the function's ``def`` node; its line numbers are the file's.
        text: the parsed source text (whole lines of the file, maybe wrapped, see ``line_offset``).
        line_offset: add it to a line number of ``text`` to get the file's line number.
        arg_names: the parameter names, in order.
        future_flags: the ``from __future__`` compiler flags of the function's module.
    """

    name: str
    filename: str
    node: ast.FunctionDef
    text: str
    line_offset: int
    arg_names: list[str]
    future_flags: int = 0

    def fresh_node(self) -> ast.FunctionDef:
        """A newly parsed copy of ``node`` (cheaper than a deep copy), for rewriting."""
        return _parse_def(self.text, self.line_offset, self.filename, self.name, f'"{self.name}"')

    def where(self, line: int | None = None) -> str:
        """``"cfg" (exp.py, line 12)``: how error messages name the scope."""
        line = self.node.lineno if line is None else line
        return f'"{self.name}" ({os.path.basename(self.filename)}, line {line})'


def describe(func: Callable[..., object]) -> str:
    """``"cfg" (exp.py, line 12)`` from the function object alone (before its source is read)."""
    code = getattr(func, "__code__", None)
    name = getattr(func, "__name__", repr(func))
    if code is None:
        return f'"{name}"'
    return f'"{name}" ({os.path.basename(code.co_filename)}, line {code.co_firstlineno})'


def read_scope_source(func: Callable[..., object]) -> ScopeSource:
    """Read, parse and check the source of ``func``.

    Raises:
        ConfigError: ``func`` is not a ``def`` function whose source can be read, or its body or
            parameters cannot be run as a config scope.
    """
    if not inspect.isfunction(func):
        kind = type(func).__name__
        hint = " Use add_config() / add_named_config() for a dict." if isinstance(func, dict) else ""
        raise ConfigScopeError(f"A config scope must be a function defined with \"def\", got {kind}: {func!r}.{hint}")
    try:
        lines, first_line = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        raise ConfigScopeError(
            f"Cannot read the source code of config scope {describe(func)}: config scopes must be defined "
            f"in a file, not in an interactive session or with exec(). ({type(exc).__name__}: {exc})"
        ) from exc
    text, offset = _parseable_text("".join(lines), first_line)
    node = _parse_def(text, offset, func.__code__.co_filename, func.__name__, describe(func))
    source = ScopeSource(func.__name__, func.__code__.co_filename, node, text, offset, [])
    _check_body(source)
    arg_names = _check_arguments(source)
    flags = func.__code__.co_flags & _FUTURE_FLAGS
    return ScopeSource(source.name, source.filename, node, text, offset, arg_names, flags)


def body_docstring(source: ScopeSource) -> str | None:
    """The scope's docstring as Sacred makes it: the body's lines lose the indentation of its first line
    (character by character, so deeper indentation inside the string is kept), then the statement runs
    as module code, whose ``__doc__`` is the result (cleaned further by Python 3.13+ like any docstring).
    """
    first = source.node.body[0] if source.node.body else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return None
    lines = source.text.splitlines(keepends=True)
    start, end = first.lineno - 1 - source.line_offset, (first.end_lineno or first.lineno) - source.line_offset
    statement = lines[start:end]
    head = statement[0][:first.col_offset]
    indent = head if not head.strip() else ""
    statement[0] = indent + statement[0][first.col_offset:]
    text = "".join(_dedent_line(line, indent) for line in statement)
    namespace: dict = {}
    try:
        exec(compile(text, source.filename, "exec", dont_inherit=True), namespace)  # only a string literal
    except SyntaxError:
        return first.value.value
    doc = namespace.get("__doc__")
    return doc if isinstance(doc, str) else first.value.value


def _dedent_line(line: str, indent: str) -> str:
    """``line`` without the part of ``indent`` it starts with."""
    matched = 0
    for char, expected in zip(line, indent):
        if char != expected:
            break
        matched += 1
    return line[matched:]


def _parseable_text(text: str, first_line: int) -> tuple[str, int]:
    """Make an indented ``def`` (in a class or function) parseable without changing its lines."""
    if text[:1] in (" ", "\t"):
        # Dedenting could break multi-line strings at column 0; an ``if`` header keeps them valid.
        return "if True:\n" + text, first_line - 2
    return text, first_line - 1


def _parse_def(text: str, offset: int, filename: str, name: str, label: str) -> ast.FunctionDef:
    """Parse ``text`` and return the ``def`` named ``name``, with the file's line numbers."""
    tree = ast.parse(text, filename=filename)
    ast.increment_lineno(tree, offset)
    statements = tree.body
    if statements and isinstance(statements[0], ast.If) and _is_wrapper(statements[0]):
        statements = statements[0].body
    for statement in statements:
        if isinstance(statement, ast.FunctionDef) and statement.name == name:
            return statement
        if isinstance(statement, ast.AsyncFunctionDef) and statement.name == name:
            raise ConfigScopeError(f"Config scope {label} must be a plain \"def\" function, not \"async def\".")
    got = "a lambda" if name == "<lambda>" else "something else"
    raise ConfigScopeError(f"Config scope {label} must be a function defined with \"def\", got {got}.")


def _is_wrapper(statement: ast.If) -> bool:
    return isinstance(statement.test, ast.Constant) and statement.test.value is True


def _check_body(source: ScopeSource) -> None:
    """Reject ``return``/``yield``/``await`` at scope level (nested functions and lambdas may use them)."""
    pending: list[ast.AST] = [node for node in source.node.body if not isinstance(node, _NESTED_SCOPES)]
    found: list[tuple[int, str]] = []
    while pending:
        node = pending.pop()
        word = _FORBIDDEN.get(type(node))
        if word is not None:
            found.append((getattr(node, "lineno", source.node.lineno), word))
        pending.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, _NESTED_SCOPES))
    if found:
        line, word = min(found)
        raise ConfigScopeError(
            f"Config scope {source.where(line)} must not contain '{word}': "
            "a config scope's body is run as a block of statements."
        )


def _check_arguments(source: ScopeSource) -> list[str]:
    """The parameter names; ``*args``, ``**kwargs`` and default values are refused."""
    args = source.node.args
    for kind, stars, given in (("*args", "*", args.vararg), ("**kwargs", "**", args.kwarg)):
        if given is not None:
            raise ConfigScopeError(
                f"Config scope {source.where()} must not take {kind}: its parameters are filled by name "
                f"from earlier config entries. Remove \"{stars}{given.arg}\"."
            )
    positional = args.posonlyargs + args.args
    defaults = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    defaults += [(arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults) if default is not None]
    if defaults:
        listed = ", ".join(f"{arg.arg}={ast.unparse(default)}" for arg, default in defaults)
        raise ConfigScopeError(
            f"Config scope {source.where()} must not give its parameters default values (given: {listed}): "
            "parameters are filled from earlier config entries. Assign the default in the body instead."
        )
    return [arg.arg for arg in positional + args.kwonlyargs]
