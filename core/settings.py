"""Global settings, laid out as Sacred's ``SETTINGS`` (attribute access, keys fixed)."""
from __future__ import annotations

from typing import Any

from core.errors import SacredError


class SettingError(SacredError):
    """An unknown setting was set, or a group of settings was set to a single value."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class SettingsGroup(dict):
    """A dict with attribute access whose set of keys is fixed after creation (Sacred's frozen munch).

    Reading an unknown name is an ``AttributeError`` (so ``hasattr`` and ``getattr(..., default)`` work),
    setting one is a ``SettingError``; copies and pickles are groups with the same keys.
    """

    __slots__ = ()  # no instance __dict__: tools that patch attributes (pytest's monkeypatch) see the settings

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"Unknown setting: {key}. Possible keys are: {sorted(self)}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delattr__(self, key: str) -> None:
        raise SettingError(f"Settings cannot be deleted ({key}); set them to another value instead.")

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self:
            raise SettingError(f"Unknown setting: {key}. Possible keys are: {sorted(self)}")
        current = dict.__getitem__(self, key)
        if isinstance(current, SettingsGroup) and not isinstance(value, dict):
            raise SettingError(f"Can't set this setting ({key}) to a non-dict value: {value!r}")
        if isinstance(current, SettingsGroup):
            for sub_key, sub_value in value.items():
                current[sub_key] = sub_value
            return
        dict.__setitem__(self, key, value)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(dict)) | set(self))

    def __copy__(self) -> SettingsGroup:
        return _group(**self)

    def __deepcopy__(self, memo: dict) -> SettingsGroup:
        import copy
        return _group(**{key: copy.deepcopy(value, memo) for key, value in self.items()})

    def __reduce__(self) -> tuple:
        return _group_from, (dict(self),)

    def toDict(self) -> dict:  # noqa: N802 - munch's name, which Sacred's SETTINGS offers
        """A plain (nested) dict of the settings."""
        return {key: value.toDict() if isinstance(value, SettingsGroup) else value for key, value in self.items()}


def _group_from(entries: dict) -> SettingsGroup:
    return _group(**entries)


def _group(**entries: Any) -> SettingsGroup:
    group = SettingsGroup()
    for key, value in entries.items():
        dict.__setitem__(group, key, value)
    return group


SETTINGS = _group(
    CONFIG=_group(
        ENFORCE_KEYS_MONGO_COMPATIBLE=True,
        ENFORCE_KEYS_JSONPICKLE_COMPATIBLE=True,
        ENFORCE_VALID_PYTHON_IDENTIFIER_KEYS=False,
        ENFORCE_STRING_KEYS=False,
        ENFORCE_KEYS_NO_EQUALS=True,
        READ_ONLY_CONFIG=True,
        IGNORED_COMMENTS=["^pylint:", "^noinspection"],
        NUMPY_RANDOM_LEGACY_API=False,
    ),
    HOST_INFO=_group(INCLUDE_GPU_INFO=True, INCLUDE_CPU_INFO=True, CAPTURED_ENV=[]),
    COMMAND_LINE=_group(STRICT_PARSING=False, SHOW_DISABLED_OPTIONS=True),
    CAPTURE_MODE="fd",
    DISCOVER_DEPENDENCIES="imported",
    DISCOVER_SOURCES="imported",
    DEFAULT_BEAT_INTERVAL=10.0,
    OUTPUT_FLUSH_INTERVAL=1.0,
)
"""``OUTPUT_FLUSH_INTERVAL`` (ours): seconds between writes of new output to observers, for live tails."""
