"""Global settings, laid out as Sacred's ``SETTINGS`` (attribute access, keys fixed)."""
from __future__ import annotations

from typing import Any

from core.errors import SacredError


class SettingError(SacredError, KeyError):
    """An unknown setting was read or written."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class SettingsGroup(dict):
    """A dict with attribute access whose set of keys is fixed after creation."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise SettingError(f"Unknown setting: {key}. Possible keys are: {sorted(self)}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

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
        NUMPY_RANDOM_LEGACY_API=True,
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
