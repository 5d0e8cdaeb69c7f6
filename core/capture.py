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

from core.errors import MissingConfigError, SignatureError

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
        self.has_varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
        self.has_kwargs = any(p.kind == p.VAR_KEYWORD for p in params)
        self.config_names = [n for n in self.names if n not in SPECIAL_ARGS]

    def bind(self, args: tuple, kwargs: dict, options: dict[str, Any],
             specials: dict[str, Callable[[], Any]], dotted_prefix: str = "") -> dict[str, Any]:
        """Return keyword arguments completing ``args``/``kwargs`` from ``options`` and ``specials``."""
        if len(args) > len(self.positional) and not self.has_varargs:
            extra = args[len(self.positional):]
            raise SignatureError(f"{self.name} got unexpected argument(s): {extra!r}")
        given_positional = set(self.positional[:len(args)])
        unexpected = [k for k in kwargs if k not in self.names]
        if unexpected and not self.has_kwargs:
            raise SignatureError(f"{self.name} got unexpected kwarg(s): {sorted(unexpected)!r}. "
                                 f"It accepts: {self.names!r}")
        doubled = sorted(given_positional & set(kwargs))
        if doubled:
            raise SignatureError(f"{self.name} got multiple values for argument(s) {doubled!r}")
        filled: dict[str, Any] = {}
        missing: list[str] = []
        for name in self.names:
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


class CaptureState:
    """What a captured function knows about the run it is called in (set by the run, read on each call)."""

    def __init__(self, prefix: str | None) -> None:
        self.prefix = prefix
        self.config: dict = {}
        self.logger: logging.Logger | None = None
        self.run: Any = None
        self.seeds: Any = None
        """The run's ``SeedChain`` of this function's ingredient; ``seed_index`` is this function's place in it."""
        self.seed_index = 0
        self._rnd: Any = None

    def attach(self, config: dict, run: Any, logger: logging.Logger, seeds: Any, seed_index: int) -> None:
        """Make the function part of a run."""
        self.config, self.run, self.logger = config, run, logger
        self.seeds, self.seed_index, self._rnd = seeds, seed_index, None

    @property
    def rnd(self) -> Any:
        """The generator ``_seed`` values are drawn from in this run (None outside a run)."""
        if self._rnd is None and self.seeds is not None:
            from core.randomness import create_rnd
            self._rnd = create_rnd(self.seeds.seed_of(self.seed_index))
        return self._rnd


def capture(function: Callable, prefix: str | None = None) -> Callable:
    """Wrap ``function`` so its parameters are filled from the configuration at call time."""
    if hasattr(function, "_capture_state"):
        return function
    signature = Signature(function)
    state = CaptureState(prefix)

    @functools.wraps(function)
    def captured_function(*args: Any, **kwargs: Any) -> Any:
        options = state.config
        if state.prefix:
            from core.config.updates import get_by_dotted_path
            options = get_by_dotted_path(state.config, state.prefix, {}) or {}
        specials = _special_values(state, signature, options)
        dotted = f"{state.prefix}." if state.prefix else ""
        filled = signature.bind(args, kwargs, options, specials, dotted)
        kwargs.update(filled)
        logger = state.logger
        if logger is None:
            return function(*args, **kwargs)
        logger.debug("Started")
        started = time.time()
        result = function(*args, **kwargs)
        logger.debug("Finished after %s.", datetime.timedelta(seconds=round(time.time() - started)))
        return result

    captured_function._capture_state = state  # type: ignore[attr-defined]
    captured_function.signature = signature  # type: ignore[attr-defined]
    captured_function.prefix = prefix  # type: ignore[attr-defined]
    captured_function.unobserved = False  # type: ignore[attr-defined]
    return captured_function


def _special_values(state: CaptureState, signature: Signature,
                    options: dict) -> dict[str, Callable[[], Any]]:
    """Lazily computed values for the special parameter names the signature declares."""
    wanted = [n for n in SPECIAL_ARGS if n in signature.names]
    if not wanted:
        return {}
    values: dict[str, Callable[[], Any]] = {
        "_config": lambda: options,
        "_log": lambda: state.logger or logging.getLogger(signature.name),
        "_run": lambda: state.run,
    }
    if "_seed" in wanted or "_rnd" in wanted:
        from core.randomness import create_rnd, get_seed
        seed = get_seed(state.rnd)
        values["_seed"] = lambda: seed
        values["_rnd"] = lambda: create_rnd(seed)
    return values
