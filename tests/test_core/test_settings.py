"""SETTINGS behaves like Sacred's munch: attribute reads, deep copies, patching, and refusing unknown keys."""
from __future__ import annotations

import copy
import pickle

import pytest

from core import SETTINGS
from core.settings import SettingError


def test_unknown_names_are_attribute_errors_so_hasattr_and_getattr_work():
    assert not hasattr(SETTINGS, "nope")
    assert getattr(SETTINGS.CONFIG, "nope", "default") == "default"
    assert hasattr(SETTINGS.HOST_INFO, "INCLUDE_CPU_INFO")
    with pytest.raises(KeyError):
        SETTINGS["nope"]


def test_unknown_keys_are_refused_when_set():
    for action in (lambda: setattr(SETTINGS, "nope", 1), lambda: SETTINGS.__setitem__("nope", 1),
                   lambda: setattr(SETTINGS, "CONFIG", 1)):
        with pytest.raises(SettingError):
            action()
    assert "nope" not in SETTINGS


def test_copies_and_pickles_are_independent_groups():
    clone = copy.deepcopy(SETTINGS)
    assert clone == SETTINGS and clone is not SETTINGS
    clone.HOST_INFO.INCLUDE_CPU_INFO = not SETTINGS.HOST_INFO.INCLUDE_CPU_INFO
    assert clone.HOST_INFO.INCLUDE_CPU_INFO != SETTINGS.HOST_INFO.INCLUDE_CPU_INFO
    with pytest.raises(SettingError):
        clone.HOST_INFO.NEW_KEY = 1
    assert pickle.loads(pickle.dumps(SETTINGS)) == SETTINGS
    assert copy.copy(SETTINGS.CONFIG) == SETTINGS.CONFIG
    assert SETTINGS.toDict()["CONFIG"]["READ_ONLY_CONFIG"] is SETTINGS.CONFIG.READ_ONLY_CONFIG


@pytest.mark.parametrize("dotted", [False, True])
def test_monkeypatch_sets_and_undoes(dotted):
    before = SETTINGS.HOST_INFO.INCLUDE_CPU_INFO
    with pytest.MonkeyPatch.context() as patch:
        if dotted:
            patch.setattr("core.settings.SETTINGS.HOST_INFO.INCLUDE_CPU_INFO", not before)
        else:
            patch.setattr(SETTINGS.HOST_INFO, "INCLUDE_CPU_INFO", not before)
        assert SETTINGS.HOST_INFO.INCLUDE_CPU_INFO is (not before)
    assert SETTINGS.HOST_INFO.INCLUDE_CPU_INFO is before
    assert "INCLUDE_CPU_INFO" in SETTINGS.HOST_INFO


def test_numpy_legacy_api_is_off_as_in_sacred_with_numpy_1_19_and_later():
    assert SETTINGS.CONFIG.NUMPY_RANDOM_LEGACY_API is False
