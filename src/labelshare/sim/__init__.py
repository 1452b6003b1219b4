"""Agent-based market simulator driving ``labelshare.services`` in process.

:func:`load_config` reads a scenario (TOML), :func:`run_simulation` runs it on a
temporary SQLite database through the real assignment, submission and settlement
services, :func:`write_report` writes ``report.md``, PNG plots and ``summary.json``.
"""

from labelshare.sim.config import STRATEGIES, SimConfig, load_config
from labelshare.sim.report import RULES, RuleSummary, gini, summarise, write_report
from labelshare.sim.run import PlatformRun, SimResult, run_platform, run_simulation

__all__ = [
    "RULES",
    "STRATEGIES",
    "PlatformRun",
    "RuleSummary",
    "SimConfig",
    "SimResult",
    "gini",
    "load_config",
    "run_platform",
    "run_simulation",
    "summarise",
    "write_report",
]
