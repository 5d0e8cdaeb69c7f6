"""Provides reading and writing of config files (.json, .yaml/.yml, .pickle), chosen by extension.

JSON and YAML never construct objects: JSON undoes only the safe jsonpickle tags (tuples, sets, bytes)
and YAML is read with ``safe_load``. A .pickle file is the user's own and is loaded as such. Files are
written atomically (a temporary file in the same folder, then ``os.replace``), so a reader never sees
half a file.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
from typing import Any, Callable

from core.config.values import dumps, flatten, restore
from core.errors import ConfigFileError, ConfigFileNotFoundError, UnsupportedConfigFileError

__all__ = ["CONFIG_FILE_EXTENSIONS", "is_config_file_name", "load_config_file", "save_config_file"]

logger = logging.getLogger(__name__)

CONFIG_FILE_EXTENSIONS = (".json", ".pickle", ".yaml", ".yml")
"""Extensions a config file may have (compared without regard to case)."""


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def is_config_file_name(name: str | os.PathLike) -> bool:
    """Whether ``name`` ends with one of the supported config file extensions."""
    return _extension(os.fspath(name)) in CONFIG_FILE_EXTENSIONS


def _check_extension(name: str) -> str:
    extension = _extension(name)
    if extension not in CONFIG_FILE_EXTENSIONS:
        raise UnsupportedConfigFileError(
            f'Configuration file "{name}" has invalid or unsupported extension "{extension}". Supported '
            f'extensions are: {", ".join(CONFIG_FILE_EXTENSIONS)}.')
    return extension


# --- loading --------------------------------------------------------------------------------------------

def _load_json(name: str) -> Any:
    with open(name, encoding="utf-8") as file:
        text = file.read()
    try:
        return restore(json.loads(text))
    except json.JSONDecodeError as error:
        raise UnsupportedConfigFileError(
            f'Cannot parse config file "{name}" as JSON: {error.msg} (line {error.lineno}, '
            f"column {error.colno}).") from None


def _load_yaml(name: str) -> Any:
    import yaml

    with open(name, encoding="utf-8") as file:
        text = file.read()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigFileError(f'Cannot parse config file "{name}" as YAML: {_yaml_problem(error)}') from None
    return {} if data is None else data


def _yaml_problem(error: Exception) -> str:
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})."
    return " ".join(str(error).split())


def _load_pickle(name: str) -> Any:
    with open(name, "rb") as file:
        try:
            return pickle.load(file)
        except Exception as error:  # noqa: BLE001 - unpickling can raise almost anything
            raise ConfigFileError(
                f'Cannot load config file "{name}" as a pickle: {type(error).__name__}: {error}') from None


_LOADERS: dict[str, Callable[[str], Any]] = {
    ".json": _load_json, ".yaml": _load_yaml, ".yml": _load_yaml, ".pickle": _load_pickle,
}


def _kind(data: Any) -> str:
    return "nothing" if data is None else f"a {type(data).__name__}"


def load_config_file(path: str | os.PathLike) -> dict:
    """Read a config file into a dict, by extension; every problem becomes an InvalidConfigError."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise ConfigFileNotFoundError(f'Config file "{name}" does not exist.')
    extension = _check_extension(name)
    if os.path.isdir(name):
        raise ConfigFileError(f'Config file "{name}" is a directory, not a file.')
    try:
        data = _LOADERS[extension](name)
    except UnicodeDecodeError as error:
        raise ConfigFileError(f'Cannot read config file "{name}": it is not UTF-8 text ({error.reason}).') from None
    except OSError as error:
        raise ConfigFileError(f'Cannot read config file "{name}": {error.strerror or error}.') from None
    if not isinstance(data, dict):
        raise ConfigFileError(
            f'Config file "{name}" must hold a mapping of config names to values at the top level, '
            f"but it holds {_kind(data)}.")
    return data


# --- saving ---------------------------------------------------------------------------------------------

def _yaml_bytes(config: dict) -> bytes:
    import yaml

    return yaml.safe_dump(flatten(config), default_flow_style=False).encode("utf-8")


def _pickle_bytes(config: dict) -> bytes:
    """The config itself; if some value cannot be pickled, its JSON form (as the .json file holds it)."""
    try:
        return pickle.dumps(config)
    except Exception as error:  # noqa: BLE001 - lambdas, open files, locks ...
        logger.warning("Some config values cannot be pickled (%s); saving their JSON form instead.", error)
        return pickle.dumps(restore(flatten(config)))


_ENCODERS: dict[str, Callable[[dict], bytes]] = {
    ".json": lambda config: dumps(config).encode("utf-8"), ".yaml": _yaml_bytes, ".yml": _yaml_bytes,
    ".pickle": _pickle_bytes,
}


def save_config_file(config: dict, path: str | os.PathLike) -> None:
    """Write ``config`` to ``path`` in the format its extension names, atomically."""
    name = os.fspath(path)
    data = _ENCODERS[_check_extension(name)](config)
    try:
        _atomic_write(name, data)
    except OSError as error:
        raise ConfigFileError(f'Cannot write config file "{name}": {error.strerror or error}.') from None


def _atomic_write(name: str, data: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(name))
    base = os.path.basename(name)
    while True:
        temporary = os.path.join(directory, f".{base}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, name)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
