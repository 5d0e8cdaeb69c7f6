"""Provides ``compile_scope``: a config scope's body compiled as a real function that reports its locals.

Running the body as a function body (not as a class-like block with separate locals) is what lets
comprehensions, generator expressions, lambdas and nested functions see earlier config entries on every
Python version. The body is rewritten so that each statement binding names at scope level passes those
names through a fixer (which substitutes values fixed by updates), names that may already have a value
(fixed or preset) start with it, and the function ends by returning its locals. Line numbers stay the
user's, so tracebacks point at the config scope's own lines.
"""
from __future__ import annotations

import ast
import types
from dataclasses import dataclass
from typing import Iterator

from core.config.scope_source import ScopeSource

FIX = "__config_scope_fix__"
PRESET = "__config_scope_preset__"
LOCALS = "__config_scope_locals__"
INTERNAL_NAMES = frozenset({FIX, PRESET, LOCALS})

_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class CompiledScope:
    """The compiled body.

    Attributes:
        code: code object of a function taking ``(FIX, PRESET, LOCALS, *arg_names)`` and returning its locals.
        local_names: the names the body binds at scope level (parameters excluded).
    """

    code: types.CodeType
    local_names: tuple[str, ...]


def compile_scope(source: ScopeSource) -> CompiledScope:
    """Rewrite and compile the body of ``source``."""
    node = source.fresh_node()
    rewriter = _Rewriter(_declared_global(node.body))
    body = rewriter.block(node.body)
    local_names = tuple(name for name in rewriter.names if name not in source.arg_names)
    presets = [_preset_statement(name, body[0]) for name in local_names]
    return CompiledScope(_compile(source, node, presets + body), local_names)


def _compile(source: ScopeSource, function: ast.FunctionDef, body: list[ast.stmt]) -> types.CodeType:
    """Compile ``body`` as the body of ``function`` (a fresh node); return that function's code."""
    last = body[-1]
    result = ast.Return(value=ast.Call(func=ast.Name(LOCALS, ast.Load()), args=[], keywords=[]))
    function.body = body + [ast.copy_location(result, last)]
    function.decorator_list = []
    function.returns = None
    params = [ast.arg(arg=name) for name in (FIX, PRESET, LOCALS, *source.arg_names)]
    function.args = ast.arguments(posonlyargs=[], args=params, vararg=None, kwonlyargs=[], kw_defaults=[],
                                  kwarg=None, defaults=[])
    module = ast.fix_missing_locations(ast.Module(body=[function], type_ignores=[]))
    module_code = compile(module, source.filename, "exec", flags=source.future_flags, dont_inherit=True)
    for constant in module_code.co_consts:
        if isinstance(constant, types.CodeType) and constant.co_name == source.name:
            return _scope_level_qualnames(constant, f"{source.name}.<locals>.")
    raise AssertionError(f"compiled config scope {source.name!r} has no function code")  # pragma: no cover


def _scope_level_qualnames(code: types.CodeType, prefix: str) -> types.CodeType:
    """``code`` with ``cfg.<locals>.`` removed from the qualified names of what the body defines.

    Sacred runs a scope's body as module-level code, so a function, lambda or class defined there is
    named ``helper``, not ``cfg.<locals>.helper``: in its repr, in print_config and in config.json.
    """
    consts = tuple(_scope_level_qualnames(const, prefix) if isinstance(const, types.CodeType)
                   else const[len(prefix):] if isinstance(const, str) and const.startswith(prefix)
                   else const for const in code.co_consts)
    changes: dict = {"co_consts": consts}
    qualname = getattr(code, "co_qualname", None)  # Python 3.11+
    if isinstance(qualname, str) and qualname.startswith(prefix):
        changes["co_qualname"] = qualname[len(prefix):]
    return code.replace(**changes)


def _preset_statement(name: str, anchor: ast.stmt) -> ast.stmt:
    """``if "name" in PRESET: name = PRESET["name"]``: a fixed or earlier value is there before any assignment."""
    lookup = ast.Subscript(value=ast.Name(PRESET, ast.Load()), slice=ast.Constant(name), ctx=ast.Load())
    test = ast.Compare(left=ast.Constant(name), ops=[ast.In()], comparators=[ast.Name(PRESET, ast.Load())])
    assign = ast.Assign(targets=[ast.Name(name, ast.Store())], value=lookup)
    return ast.copy_location(ast.If(test=test, body=[ast.copy_location(assign, anchor)], orelse=[]), anchor)


def _fix_statement(name: str, anchor: ast.AST, maybe_unbound: bool = False) -> ast.stmt:
    """``name = FIX("name", name)``, wrapped in ``try/except NameError`` when ``name`` may be unbound."""
    call = ast.Call(func=ast.Name(FIX, ast.Load()), args=[ast.Constant(name), ast.Name(name, ast.Load())],
                    keywords=[])
    statement: ast.stmt = ast.copy_location(ast.Assign(targets=[ast.Name(name, ast.Store())], value=call), anchor)
    if maybe_unbound:
        handler = ast.ExceptHandler(type=ast.Name("NameError", ast.Load()), name=None, body=[ast.Pass()])
        statement = ast.copy_location(ast.Try(body=[statement], handlers=[handler], orelse=[], finalbody=[]),
                                      anchor)
    return statement


class _Rewriter:
    """Inserts fixer calls after (or, for compound statements, inside) each scope-level binding.

    ``names`` collects every name bound at scope level, in order: those are the body's locals.
    """

    def __init__(self, skip: frozenset[str]) -> None:
        self.skip = skip
        self.names: dict[str, None] = {}

    def fixes(self, names: Iterator[str] | list[str], anchor: ast.stmt, maybe_unbound: bool = False) -> list[ast.stmt]:
        kept = [name for name in names if name not in self.skip]
        self.names.update(dict.fromkeys(kept))
        return [_fix_statement(name, anchor, maybe_unbound) for name in kept]

    def block(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        result: list[ast.stmt] = []
        for statement in statements:
            result.append(statement)
            blocks = list(_blocks(statement))
            if isinstance(statement, ast.AnnAssign) and statement.value is None:
                self.names.update(dict.fromkeys(n for n in target_names(statement.target) if n not in self.skip))
            if not blocks or isinstance(statement, _DEFINITIONS):
                result += self.fixes(_bound_names(statement), statement)
                result += self.fixes(_walrus_names(statement), statement, maybe_unbound=True)
                continue
            walrus = [name for node in _header_nodes(statement) for name in _walrus_names(node)]
            for owner, field, names in blocks:
                fixes = self.fixes(names, statement) + self.fixes(walrus, statement, maybe_unbound=True)
                setattr(owner, field, fixes + self.block(getattr(owner, field)))
        return result


def _bound_names(statement: ast.stmt) -> Iterator[str]:
    """Names a simple statement binds (assignments, imports, definitions); walrus targets excluded."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            yield from target_names(target)
    elif isinstance(statement, ast.AugAssign) or (isinstance(statement, ast.AnnAssign) and statement.value):
        yield from target_names(statement.target)
    elif isinstance(statement, (ast.Import, ast.ImportFrom)):
        for alias in statement.names:
            if alias.name != "*":
                yield alias.asname or alias.name.split(".")[0]
    elif isinstance(statement, _DEFINITIONS):
        yield statement.name


def target_names(target: ast.AST | None) -> Iterator[str]:
    """Names bound by an assignment, ``for`` or ``with`` target (tuple and starred targets included)."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from target_names(element)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)


def _walrus_names(node: ast.AST) -> list[str]:
    """Targets of ``:=`` in ``node`` that bind at scope level (comprehensions included, nested defs not)."""
    names: list[str] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.NamedExpr) and isinstance(current.target, ast.Name):
            names.append(current.target.id)
        pending.extend(child for child in ast.iter_child_nodes(current)
                       if not isinstance(child, _NESTED_SCOPES) and not isinstance(child, ast.stmt))
    return list(dict.fromkeys(names))


def _header_nodes(statement: ast.stmt) -> list[ast.AST]:
    """The expressions of a compound statement evaluated before its blocks."""
    fields = ("test", "iter", "subject")
    nodes: list[ast.AST] = [getattr(statement, field) for field in fields if hasattr(statement, field)]
    nodes += [item.context_expr for item in getattr(statement, "items", ())]
    nodes += [case.guard for case in getattr(statement, "cases", ()) if case.guard is not None]
    return nodes


def _blocks(statement: ast.stmt) -> Iterator[tuple[ast.AST, str, list[str]]]:
    """(owner, field, names bound on entry) for each nested statement list of a compound statement.

    ``for`` and ``with ... as`` targets are bound on entry to the body only (an ``else`` may run without).
    """
    for field in ("body", "orelse", "finalbody"):
        if isinstance(getattr(statement, field, None), list):
            yield statement, field, _header_names(statement) if field == "body" else []
    for handler in getattr(statement, "handlers", ()):
        yield handler, "body", [handler.name] if handler.name else []
    for case in getattr(statement, "cases", ()):
        yield case, "body", _pattern_names(case.pattern)


def _header_names(statement: ast.stmt) -> list[str]:
    """Names bound by the targets of a ``for`` or ``with`` statement."""
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return list(target_names(statement.target))
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [name for item in statement.items for name in target_names(item.optional_vars)]
    return []


def _pattern_names(pattern: ast.AST) -> list[str]:
    """Capture names of a ``match`` pattern."""
    names = []
    for node in ast.walk(pattern):
        for field in ("name", "rest"):
            value = getattr(node, field, None)
            if isinstance(value, str):
                names.append(value)
    return list(dict.fromkeys(names))


def _declared_global(statements: list[ast.stmt]) -> frozenset[str]:
    """Names declared ``global``/``nonlocal`` at scope level: they are not config entries."""
    declared: set[str] = set()
    pending: list[ast.AST] = list(statements)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        pending.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, _NESTED_SCOPES))
    return frozenset(declared)
