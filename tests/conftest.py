"""Settings for the whole test suite."""
from __future__ import annotations

import signal

# A shell without job control starts background commands with SIGINT ignored, and children inherit
# that: a test run started as `pytest &` would then record interrupted runs as COMPLETED. Ctrl-C
# reaches the run processes the tests start as it does a user's.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
