"""SETTINGS as a munch: attribute tests, deep copies and patching as pytest's monkeypatch does it."""
import copy

from sacred import SETTINGS

print(hasattr(SETTINGS, "nope"), hasattr(SETTINGS.HOST_INFO, "INCLUDE_CPU_INFO"))
print(getattr(SETTINGS, "nope", "default"))
clone = copy.deepcopy(SETTINGS)
clone.HOST_INFO.INCLUDE_CPU_INFO = False
print(SETTINGS.HOST_INFO.INCLUDE_CPU_INFO, clone.HOST_INFO.INCLUDE_CPU_INFO)
old = getattr(SETTINGS.HOST_INFO, "INCLUDE_CPU_INFO")
setattr(SETTINGS.HOST_INFO, "INCLUDE_CPU_INFO", False)
print(SETTINGS.HOST_INFO.INCLUDE_CPU_INFO, SETTINGS.HOST_INFO["INCLUDE_CPU_INFO"])
setattr(SETTINGS.HOST_INFO, "INCLUDE_CPU_INFO", old)
print(SETTINGS.HOST_INFO.INCLUDE_CPU_INFO)
SETTINGS.CONFIG.READ_ONLY_CONFIG = False
print(SETTINGS.CONFIG["READ_ONLY_CONFIG"], "READ_ONLY_CONFIG" in SETTINGS.CONFIG, len(SETTINGS) > 5)
for bad in ("SETTINGS.nope = 1", "SETTINGS['nope'] = 1", "SETTINGS.CONFIG = 1", "SETTINGS.nope"):
    try:
        exec(bad)
    except Exception as error:  # noqa: BLE001
        print(bad, type(error).__name__, isinstance(error, KeyError), isinstance(error, AttributeError))
    else:
        print(bad, "no error")
