"""Tests of host info (core.host.machine): keys, CPU name, nvidia-smi parsing and probing, caching."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from core.host import machine
from core.host import (
    IgnoreHostInfo,
    get_cpu_name,
    get_host_info,
    host_info_gatherer,
    parse_cpuinfo,
    parse_nvidia_smi_xml,
)
from core.settings import SETTINGS

CPUINFO_X86 = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: AMD EPYC 7B13 64-Core Processor
stepping\t: 0

processor\t: 1
model name\t: Some Other CPU
"""

CPUINFO_ARM = """processor\t: 0
BogoMIPS\t: 48.00
Features\t: fp asimd evtstrm
CPU implementer\t: 0x41
"""

NVIDIA_XML = """<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
<nvidia_smi_log>
  <timestamp>Sat Nov 28 01:00:00 2026</timestamp>
  <driver_version>550.54.15</driver_version>
  <cuda_version>12.4</cuda_version>
  <attached_gpus>2</attached_gpus>
  <gpu id="00000000:01:00.0">
    <product_name>NVIDIA GeForce RTX 3090</product_name>
    <persistence_mode>Enabled</persistence_mode>
    <fb_memory_usage>
      <total>24576 MiB</total>
      <used>2 MiB</used>
    </fb_memory_usage>
  </gpu>
  <gpu id="00000000:02:00.0">
    <product_name>NVIDIA A100-SXM4-40GB</product_name>
    <persistence_mode>Disabled</persistence_mode>
    <fb_memory_usage>
      <total>Insufficient Permissions</total>
    </fb_memory_usage>
    <mig_devices>
      <mig_device>
        <fb_memory_usage>
          <total>9856 MiB</total>
        </fb_memory_usage>
      </mig_device>
    </mig_devices>
  </gpu>
</nvidia_smi_log>
"""

EXPECTED_GPUS = {
    "driver_version": "550.54.15",
    "gpus": [
        {"model": "NVIDIA GeForce RTX 3090", "total_memory": 24576, "persistence_mode": True},
        {"model": "NVIDIA A100-SXM4-40GB", "total_memory": 9856, "persistence_mode": False},
    ],
}


@pytest.fixture(autouse=True)
def fresh_cache():
    machine.clear_cache()
    yield
    machine.clear_cache()


@pytest.fixture
def fake_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH holding only our fake executables (so the real machine's nvidia-smi is never used)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def write_exe(path: Path, body: str) -> None:
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


# ------------------------------------------------------------------------------------------- CPU
def test_parse_cpuinfo_returns_first_model_name() -> None:
    assert parse_cpuinfo(CPUINFO_X86) == "AMD EPYC 7B13 64-Core Processor"


def test_parse_cpuinfo_without_model_name_is_none() -> None:
    assert parse_cpuinfo(CPUINFO_ARM) is None


def test_cpu_name_reads_given_cpuinfo_file(tmp_path: Path) -> None:
    path = tmp_path / "cpuinfo"
    path.write_text(CPUINFO_X86)
    assert get_cpu_name(str(path), system="Linux") == "AMD EPYC 7B13 64-Core Processor"


def test_cpu_name_missing_file_is_none(tmp_path: Path) -> None:
    assert get_cpu_name(str(tmp_path / "absent"), system="Linux") is None


def test_cpu_name_elsewhere_uses_platform_processor(monkeypatch: pytest.MonkeyPatch) -> None:
    import platform

    monkeypatch.setattr(platform, "processor", lambda: "Intel64 Family 6")
    assert get_cpu_name(system="Windows") == "Intel64 Family 6"
    monkeypatch.setattr(platform, "processor", lambda: "")
    assert get_cpu_name(system="Windows") is None


# ------------------------------------------------------------------------------------------- GPU
def test_parse_nvidia_smi_xml_matches_sacred_shape() -> None:
    assert parse_nvidia_smi_xml(NVIDIA_XML) == EXPECTED_GPUS


def test_parse_nvidia_smi_xml_without_gpus() -> None:
    xml = "<nvidia_smi_log><driver_version>1.2</driver_version></nvidia_smi_log>"
    assert parse_nvidia_smi_xml(xml) == {"gpus": [], "driver_version": "1.2"}


def test_parse_nvidia_smi_bad_xml_raises_value_error() -> None:
    with pytest.raises(ValueError, match="not valid XML"):
        parse_nvidia_smi_xml("NVIDIA-SMI has failed because it couldn't communicate")


def test_gpus_from_fake_nvidia_smi(fake_bin: Path) -> None:
    write_exe(fake_bin / "nvidia-smi", f"import sys\nassert sys.argv[1:] == ['-q', '-x']\nprint({NVIDIA_XML!r})\n")
    assert get_host_info(include_gpu=True)["gpus"] == EXPECTED_GPUS


def test_gpus_absent_without_nvidia_smi(fake_bin: Path) -> None:
    assert "gpus" not in get_host_info(include_gpu=True)


def test_gpus_absent_when_nvidia_smi_fails(fake_bin: Path) -> None:
    write_exe(fake_bin / "nvidia-smi", "import sys\nsys.exit(9)\n")
    assert "gpus" not in get_host_info(include_gpu=True)


def test_gpus_absent_when_nvidia_smi_hangs(fake_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(machine, "NVIDIA_SMI_TIMEOUT", 0.3)
    write_exe(fake_bin / "nvidia-smi", "import time\ntime.sleep(5)\n")
    assert "gpus" not in get_host_info(include_gpu=True)


def test_gpus_none_when_disabled(fake_bin: Path) -> None:
    write_exe(fake_bin / "nvidia-smi", f"print({NVIDIA_XML!r})\n")
    info = get_host_info(include_gpu=False)
    assert "gpus" in info and info["gpus"] is None


def test_gpu_probe_runs_once_per_process(fake_bin: Path, tmp_path: Path) -> None:
    counter = tmp_path / "calls"
    write_exe(fake_bin / "nvidia-smi", f"open({str(counter)!r}, 'a').write('x')\nprint({NVIDIA_XML!r})\n")
    for _ in range(3):
        assert get_host_info(include_gpu=True)["gpus"] == EXPECTED_GPUS
    assert counter.read_text() == "x"


# ------------------------------------------------------------------------------------------ host
def test_host_info_keys_and_types(fake_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platform

    monkeypatch.setenv("HOST_TEST_SET", "yes")
    monkeypatch.delenv("HOST_TEST_UNSET", raising=False)
    info = get_host_info(captured_env=["HOST_TEST_SET", "HOST_TEST_UNSET"], include_cpu=True, include_gpu=True)
    assert set(info) == {"hostname", "os", "python_version", "cpu", "ENV"}
    assert info["hostname"] == platform.node()
    assert info["os"] == [platform.system(), platform.platform()]
    assert info["python_version"] == platform.python_version()
    assert info["cpu"] is None or isinstance(info["cpu"], str)
    assert info["ENV"] == {"HOST_TEST_SET": "yes"}


def test_host_info_cpu_none_when_disabled() -> None:
    assert get_host_info(include_cpu=False, include_gpu=False)["cpu"] is None


def test_host_info_defaults_come_from_settings(fake_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST_TEST_CAPTURED", "1")
    monkeypatch.setitem(SETTINGS.HOST_INFO, "CAPTURED_ENV", ["HOST_TEST_CAPTURED"])
    monkeypatch.setitem(SETTINGS.HOST_INFO, "INCLUDE_CPU_INFO", False)
    monkeypatch.setitem(SETTINGS.HOST_INFO, "INCLUDE_GPU_INFO", False)
    info = get_host_info()
    assert info["ENV"] == {"HOST_TEST_CAPTURED": "1"}
    assert info["cpu"] is None
    assert info["gpus"] is None


def test_host_info_matches_reference_key_set_by_default(fake_bin: Path) -> None:
    assert set(get_host_info()) == {"ENV", "cpu", "hostname", "os", "python_version"}


def test_extra_gatherers_add_keys_or_skip() -> None:
    @host_info_gatherer("framework")
    def framework() -> str:
        return "jax"

    def skipped() -> None:
        raise IgnoreHostInfo()

    info = get_host_info(include_gpu=False, extra_gatherers={"framework": framework, "skip": skipped,
                                                             "plain": lambda: 3})
    assert info["framework"] == "jax"
    assert info["plain"] == 3
    assert "skip" not in info


def test_extra_gatherer_name_clash_is_key_error() -> None:
    with pytest.raises(KeyError, match="'hostname' clashes with a built-in"):
        get_host_info(include_gpu=False, extra_gatherers={"hostname": lambda: "x"})


def test_host_info_gatherer_needs_a_name() -> None:
    with pytest.raises(TypeError, match="non-empty string name, got 3"):
        host_info_gatherer(3)  # type: ignore[arg-type]


def test_import_is_cheap() -> None:
    code = ("import sys, core\nbefore = set(sys.modules)\nimport core.host\n"
            "heavy = {'subprocess', 'importlib.metadata', 'xml.etree.ElementTree', 'numpy', 'hashlib',"
            " 'platform', 'git', 'pkg_resources', 'cpuinfo'}\n"
            "print(sorted(heavy & (set(sys.modules) - before)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.stdout.strip() == "[]"


def test_platform_string_matches_the_standard_library():
    import platform
    from core.host.machine import platform_string
    assert platform_string() == platform.platform()
