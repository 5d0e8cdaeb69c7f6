"""Provides the ``host`` entry of run.json: hostname, OS, Python, CPU, GPUs and captured environment.

Every probe is cheap and cached for the life of the process: the CPU name is read straight from
``/proc/cpuinfo`` (never through py-cpuinfo, which sleeps a second), and ``nvidia-smi`` is only run
when it is on ``PATH``, once, with a short timeout.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Callable

logger = logging.getLogger(__name__)

DEFAULT_HOST_KEYS = ("hostname", "os", "python_version", "cpu", "gpus", "ENV")
"""Keys filled by :func:`get_host_info`; extra gatherers may not reuse them."""

NVIDIA_SMI_TIMEOUT = 2.0
"""Seconds ``nvidia-smi -q -x`` may take before the GPU entry is left out."""

_MISSING = object()
_cache: dict[str, Any] = {}


class IgnoreHostInfo(Exception):
    """Raised by a host-info gatherer to leave its key out of the host entry."""


class HostInfoGatherer:
    """A named function that contributes one key to the host entry of every run."""

    def __init__(self, name: str, func: Callable[[], Any]) -> None:
        self.name = name
        self.func = func
        self.__doc__ = func.__doc__

    def get_info(self) -> Any:
        """Call the wrapped function (it may raise :class:`IgnoreHostInfo`)."""
        return self.func()

    def __repr__(self) -> str:
        return f"HostInfoGatherer({self.name!r}, {self.func!r})"


def host_info_gatherer(name: str) -> Callable[[Callable[[], Any]], HostInfoGatherer]:
    """Decorate a function to use it as an extra host-info gatherer stored under ``name``."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"host_info_gatherer() needs a non-empty string name, got {name!r}")

    def wrap(func: Callable[[], Any]) -> HostInfoGatherer:
        return HostInfoGatherer(name, func)

    return wrap


def _cached(key: str, probe: Callable[[], Any]) -> Any:
    value = _cache.get(key, _MISSING)
    if value is _MISSING:
        value = probe()
        _cache[key] = value
    return value


def clear_cache() -> None:
    """Forget every cached probe result (the next call probes again)."""
    _cache.clear()


# ---------------------------------------------------------------------------------------- CPU
def parse_cpuinfo(text: str) -> str | None:
    """Return the first ``model name`` value of a ``/proc/cpuinfo`` text, or None if there is none."""
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "model name":
            return value.strip()
    return None


def _cpu_from_proc(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return parse_cpuinfo(handle.read())
    except OSError as exc:
        logger.debug("Cannot read %s: %s", path, exc)
        return None


def _cpu_from_sysctl() -> str | None:
    import shutil
    import subprocess

    sysctl = shutil.which("sysctl") or "/usr/sbin/sysctl"
    try:
        out = subprocess.run([sysctl, "-n", "machdep.cpu.brand_string"], capture_output=True,
                             timeout=NVIDIA_SMI_TIMEOUT, check=True, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.debug("sysctl did not give the CPU name: %s", exc)
        return None
    return out.stdout.decode("utf-8", "replace").strip() or None


def get_cpu_name(cpuinfo_path: str = "/proc/cpuinfo", system: str | None = None) -> str | None:
    """Return the CPU model name, or None if this platform does not tell it cheaply.

    Args:
        cpuinfo_path: the file read on Linux (a parameter so tests can use a sample).
        system: ``platform.system()`` value to assume; the real one if None.
    """
    import platform

    system = platform.system() if system is None else system
    if system == "Linux":
        return _cpu_from_proc(cpuinfo_path)
    if system == "Darwin":
        return _cpu_from_sysctl()
    return platform.processor() or None


# ---------------------------------------------------------------------------------------- GPU
def parse_nvidia_smi_xml(xml_text: str) -> dict[str, Any]:
    """Turn the XML of ``nvidia-smi -q -x`` into Sacred's ``gpus`` entry.

    Returns:
        ``{"gpus": [{"model", "total_memory" (MiB int), "persistence_mode" (bool)}, ...]}`` plus
        ``"driver_version"`` when the XML has one.

    Raises:
        ValueError: the text is not XML in the expected layout.
    """
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(xml_text)
    except ElementTree.ParseError as exc:
        raise ValueError(f"nvidia-smi output is not valid XML: {exc}") from exc
    info: dict[str, Any] = {"gpus": []}
    for child in root:
        if child.tag == "driver_version":
            info["driver_version"] = child.text
        elif child.tag == "gpu":
            info["gpus"].append(_parse_gpu(child))
    return info


def _parse_gpu(gpu: Any) -> dict[str, Any]:
    total = gpu.findtext("fb_memory_usage/total", default="")
    if not total or not total.split()[0].isdigit():
        # MIG-partitioned GPUs report "Insufficient Permissions" here; the MIG device has the size.
        total = gpu.findtext("mig_devices/mig_device/fb_memory_usage/total", default="")
    try:
        memory = int(total.split()[0])
    except (IndexError, ValueError):
        raise ValueError(f"nvidia-smi gave no readable fb_memory_usage/total for a GPU: {total!r}") from None
    return {
        "model": gpu.findtext("product_name"),
        "total_memory": memory,
        "persistence_mode": gpu.findtext("persistence_mode") == "Enabled",
    }


def _probe_gpus() -> dict[str, Any] | None:
    """Run nvidia-smi once; None means "leave the key out"."""
    import shutil
    import subprocess

    executable = shutil.which("nvidia-smi")
    if executable is None:
        return None
    try:
        out = subprocess.run([executable, "-q", "-x"], capture_output=True, timeout=NVIDIA_SMI_TIMEOUT,
                             check=True, stdin=subprocess.DEVNULL)
        return parse_nvidia_smi_xml(out.stdout.decode("utf-8", "replace"))
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        logger.debug("No GPU information: nvidia-smi failed: %s", exc)
        return None


# ---------------------------------------------------------------------------------------- host
def platform_string() -> str:
    """``platform.platform()`` without its slow part on glibc Linux.

    The standard function finds the C library by scanning the interpreter binary (about 5 ms); glibc
    reports its version directly through ``confstr``, which gives the same text.
    """
    import os
    import platform
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        libc = ""
    name, _, version = libc.partition(" ")
    uname = os.uname() if hasattr(os, "uname") else None
    if platform.system() != "Linux" or name != "glibc" or not version or uname is None:
        return platform.platform()
    return f"Linux-{uname.release}-{uname.machine}-with-glibc{version}"


def _probe_platform() -> dict[str, Any]:
    import platform

    return {
        "hostname": platform.node(),
        "os": [platform.system(), platform_string()],
        "python_version": platform.python_version(),
    }


def _settings_host() -> Any:
    from core.settings import SETTINGS

    return SETTINGS.HOST_INFO


def get_host_info(captured_env: list[str] | None = None, include_cpu: bool | None = None,
                  include_gpu: bool | None = None,
                  extra_gatherers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Collect the ``host`` entry of a run, as Sacred stores it.

    Args:
        captured_env: names of environment variables to record (``ENV``); defaults to
            ``SETTINGS.HOST_INFO.CAPTURED_ENV``.
        include_cpu: probe the CPU name; ``cpu`` is None when False. Default from settings.
        include_gpu: probe GPUs; ``gpus`` is None when False, absent when there are none.
            Default from settings.
        extra_gatherers: more keys, ``{name: callable or HostInfoGatherer}``; a gatherer that
            raises :class:`IgnoreHostInfo` leaves its key out.

    Raises:
        KeyError: an extra gatherer uses the name of a built-in key.
    """
    settings = None
    if captured_env is None or include_cpu is None or include_gpu is None:
        settings = _settings_host()
    if captured_env is None:
        captured_env = list(settings.CAPTURED_ENV)
    if include_cpu is None:
        include_cpu = bool(settings.INCLUDE_CPU_INFO)
    if include_gpu is None:
        include_gpu = bool(settings.INCLUDE_GPU_INFO)

    info: dict[str, Any] = dict(_cached("platform", _probe_platform))
    info["cpu"] = _cached("cpu", get_cpu_name) if include_cpu else None
    if not include_gpu:
        info["gpus"] = None
    else:
        gpus = _cached("gpus", _probe_gpus)
        if gpus is not None:
            info["gpus"] = gpus
    info["ENV"] = {name: os.environ[name] for name in captured_env if name in os.environ}

    for name, gatherer in (extra_gatherers or {}).items():
        if name in DEFAULT_HOST_KEYS:
            raise KeyError(f"Host info gatherer {name!r} clashes with a built-in host info key; "
                           f"built-in keys are {list(DEFAULT_HOST_KEYS)}. Choose another name.")
        func = gatherer.get_info if hasattr(gatherer, "get_info") else gatherer
        try:
            info[name] = func()
        except IgnoreHostInfo:
            continue
    return info

