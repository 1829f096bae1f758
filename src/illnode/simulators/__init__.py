"""Partner simulators: a lender that behaves like a given system (profile) and follows a scenario, for staff testing
their set-up (`isoill simulate`) and for tests and `make demo` (in-process or as a subprocess).

A request chooses its own scenario with a marker in its note, `#scenario=loaned`, as test suppliers do.
"""

from __future__ import annotations

from illnode.simulators.iso10161 import Simulator10161
from illnode.simulators.iso18626 import Simulator18626
from illnode.simulators.scenarios import SCENARIOS, scenario_in

__all__ = ["SCENARIOS", "Simulator10161", "Simulator18626", "scenario_in"]
