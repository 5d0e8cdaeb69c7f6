"""Provides ``@capture``: calling a function with its missing arguments filled from the configuration.

Precedence for each parameter: what the caller passed > the config (the ingredient's config, or the
``prefix`` subtree) > the function's own default. Special names ``_config``, ``_log``, ``_run``,
``_seed`` and ``_rnd`` are injected when the signature declares them.
"""
from __future__ import annotations

import datetime
import functools
import inspect
import logging
import time
from typing import Any, Callable

from core.errors import ConfigError, MissingConfigError, SignatureError

SPECIAL_ARGS = ("_config", "_log", "_run", "_seed", "_rnd")


class Signature:
    """The parameters of a captured function, analysed once at decoration time."""

    def __init__(self, func: Callable) -> None:
        self.name = getattr(func, "__name__", repr(func))
        params = list(inspect.signature(func).parameters.values())
        if inspect.ismethod(func):
            params = params  # inspect.signature already drops the bound first parameter
        self.positional = [p.name for p in params
                           if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        self.keyword_only = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
        self.names = self.positional + self.keyword_only
        self.defaults = {p.name: p.default for p in params if p.default is not p.empty}
        self.vararg_name = next((p.name for p in params if p.kind == p.VAR_POSITIONAL), None)
        self.kw_wildcard_name = next((p.name for p in params if p.kind == p.VAR_KEYWORD), None)
        self.has_varargs = self.vararg_name is not None
        self.has_kwargs = self.kw_wildcard_name is not None
        self.config_names = [n for n in self.names if n not in SPECIAL_ARGS]

    # Sacred's names for the same facts
    @property
    def arguments(self) -> list[str]:
        """Every named parameter (positional and keyword-only), in order."""
        return self.names

    @property
    def positional_args(self) -> list[str]:
        """Positional parameters without a default."""
        return [name for name in self.positional if name not in self.defaults]

    @property
    def kwargs(self) -> dict[str, Any]:
        """Parameters with a default, in order, with their defaults."""
        return {name: self.defaults[name] for name in self.names if name in self.defaults}

    def get_free_parameters(self, args: tuple, kwargs: dict, bound: bool = False) -> list[str]:
        """The named parameters neither ``args`` nor ``kwargs`` give (``bound``: skip the first, self)."""
        expected = self.names[1:] if bound else self.names
        return [name for name in expected[len(args):] if name not in kwargs]

    def construct_arguments(self, args: tuple, kwargs: dict, options: dict[str, Any],
                            bound: bool = False) -> tuple[tuple, dict]:
        """``(args, kwargs)`` completed by name from ``options``; raises as a call with them would."""
        filled = self.bind(args, kwargs, options, {}, skip_first=bound)
        return args, {**kwargs, **filled}

    def __str__(self) -> str:
        parts = [*self.positional_args, *([f"*{self.vararg_name}"] if self.vararg_name else []),
                 *(f"{name}={value!r}" for name, value in self.kwargs.items()),
                 *([f"**{self.kw_wildcard_name}"] if self.kw_wildcard_name else [])]
        return f"{self.name}({', '.join(parts)})"

    def __repr__(self) -> str:
        return f"<Signature at 0x{id(self):x} for '{self.name}'>"

    def bind(self, args: tuple, kwargs: dict, options: dict[str, Any],
             specials: dict[str, Callable[[], Any]], dotted_prefix: str = "",
             skip_first: bool = False) -> dict[str, Any]:
        """Return keyword arguments completing ``args``/``kwargs`` from ``options`` and ``specials``.

        ``skip_first``: the call is to a bound method, whose first parameter (self) is not passed here.
        """
        positional = self.positional[1:] if skip_first else self.positional
        names = self.names[1:] if skip_first else self.names
        if len(args) > len(positional) and not self.has_varargs:
            extra = args[len(positional):]
            raise SignatureError(f"{self.name} got unexpected argument(s): {extra!r}")
        given_positional = set(positional[:len(args)])
        unexpected = [k for k in kwargs if k not in names]
        if unexpected and not self.has_kwargs:
            raise SignatureError(f"{self.name} got unexpected kwarg(s): {sorted(unexpected)!r}. "
                                 f"It accepts: {names!r}")
        doubled = sorted(given_positional & set(kwargs))
        if doubled:
            raise SignatureError(f"{self.name} got multiple values for argument(s) {doubled!r}")
        filled: dict[str, Any] = {}
        missing: list[str] = []
        for name in names:
            if name in given_positional or name in kwargs:
                continue
            if name in specials:
                filled[name] = specials[name]()
            elif name in options:
                filled[name] = options[name]
            elif name not in self.defaults:
                missing.append(name)
        if missing:
            keys = [f"{dotted_prefix}{m}" for m in missing]
            raise MissingConfigError(
                f"{self.name} is missing value(s) for {missing!r}: set the config key(s) "
                + ", ".join(repr(k) for k in keys)
                + " in a config scope or on the command line (with "
                + " ".join(f"{k}=..." for k in keys) + ").",
                missing_configs=keys)
        return filled


def attach(captured: Any, config: dict, run: Any, logger: logging.Logger, seeds: Any, seed_index: int) -> None:
    """Make a captured function part of a run: its config (the ``prefix`` part of ``config``), run, logger,
    and its place in the seed chain of its ingredient (its generator is made only when first needed)."""
    if captured.prefix:
        from core.config.updates import get_by_dotted_path
        config = get_by_dotted_path(config, captured.prefix, {}) or {}
    captured.config, captured.run, captured.logger = config, run, logger
    captured.rnd = None
    captured._seed_source = (seeds, seed_index)


def _generator(captured: Any) -> Any:
    """The generator the function's ``_seed`` values are drawn from (None outside a run: ``random`` is used)."""
    if captured.rnd is None and captured._seed_source is not None:
        from core.randomness import create_rnd
        seeds, index = captured._seed_source
        captured.rnd = create_rnd(seeds.seed_of(index))
    return captured.rnd


def capture(function: Callable, prefix: str | None = None) -> Callable:
    """Wrap ``function`` so its parameters are filled from the configuration at call time.

    Like Sacred's captured functions, the wrapper has ``config``, ``logger``, ``run``, ``rnd``, ``prefix``,
    ``signature`` and ``uses_randomness`` attributes; a run sets the first four (tests may set them too).
    """
    if getattr(function, "_captured", False):
        return function
    signature = Signature(function)

    @functools.wraps(function)
    def captured_function(*args: Any, **kwargs: Any) -> Any:
        options = captured_function.config
        specials = _special_values(captured_function, signature, options)
        dotted = f"{captured_function.prefix}." if captured_function.prefix else ""
        filled = signature.bind(args, kwargs, options, specials, dotted)
        kwargs.update(filled)
        logger = captured_function.logger
        if logger is not None:
            logger.debug("Started")
            started = time.time()
        try:
            result = function(*args, **kwargs)
        except ConfigError as error:
            _attach_config(error, captured_function)
            raise
        if logger is not None:
            logger.debug("Finished after %s.", datetime.timedelta(seconds=round(time.time() - started)))
        return result

    captured = captured_function
    captured._captured = True  # type: ignore[attr-defined]
    captured.signature = signature  # type: ignore[attr-defined]
    captured.prefix = prefix  # type: ignore[attr-defined]
    captured.uses_randomness = "_seed" in signature.names or "_rnd" in signature.names  # type: ignore
    captured.unobserved = False  # type: ignore[attr-defined]
    captured.config = {}  # type: ignore[attr-defined]
    captured.logger = None  # type: ignore[attr-defined]
    captured.run = None  # type: ignore[attr-defined]
    captured.rnd = None  # type: ignore[attr-defined]
    captured._seed_source = None  # type: ignore[attr-defined]
    return captured


def _attach_config(error: ConfigError, captured: Any) -> None:
    """Give a ConfigError raised in a captured function the config it names keys of (the first one wins)."""
    if error.config is not None:
        return
    if captured.prefix:
        from core.config.updates import set_by_dotted_path
        error.conflicting_configs = [f"{captured.prefix}.{key}" for key in error.conflicting_configs]
        error.config = {}
        set_by_dotted_path(error.config, captured.prefix, captured.config)
    else:
        error.config = captured.config


def _special_values(captured: Any, signature: Signature, options: dict) -> dict[str, Callable[[], Any]]:
    """Lazily computed values for the special parameter names the signature declares."""
    wanted = [n for n in SPECIAL_ARGS if n in signature.names]
    if not wanted:
        return {}
    values: dict[str, Callable[[], Any]] = {
        "_config": lambda: options,
        "_log": lambda: captured.logger or logging.getLogger(signature.name),
        "_run": lambda: captured.run,
    }
    if "_seed" in wanted or "_rnd" in wanted:
        from core.randomness import create_rnd, get_seed
        seed = get_seed(_generator(captured))
        values["_seed"] = lambda: seed
        values["_rnd"] = lambda: create_rnd(seed)
    return values
