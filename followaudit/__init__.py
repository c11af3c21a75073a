"""followaudit: estimate how many of an account's followers are authentic.

The Python API (the command line is a thin skin over the same functions)::

    import followaudit

    scored = followaudit.score(frame, as_of="2026-01-31")   # DataFrame or list of dicts
    read = followaudit.read_accounts("followers.jsonl")     # a follower file, as the CLI reads it
    model = followaudit.load_model()                        # the shipped model, or a file's
    run = followaudit.run_audits(handles, plan, http=http, model=model)  # what `scan` does

``score`` gives back one row per account with ``probability`` (of being
questionable), ``label`` and ``reasons``. Failures raise ``FollowauditError``
subclasses (``InputError``, ``ModelError``, ...) whose message is one
sentence. Heavy modules (pandas, the model) are imported on first use, so
importing the package is cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from followaudit.errors import (
    Cancelled,
    ExitCode,
    FollowauditError,
    InputError,
    LimitReached,
    ModelError,
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "AuditPlan",
    "Cancelled",
    "Ceilings",
    "ExitCode",
    "FollowauditError",
    "FollowauditWarning",
    "Gates",
    "Http",
    "InputError",
    "LimitReached",
    "Model",
    "ModelError",
    "PlanReady",
    "ReadResult",
    "RunPlan",
    "ScanOptions",
    "UsageError",
    "__version__",
    "load_model",
    "parse_handle",
    "read_accounts",
    "run_audits",
    "score",
]

# Public name -> the module that defines it, imported when the name is first used.
_LAZY: dict[str, str] = {
    "score": "followaudit.api",
    "FollowauditWarning": "followaudit.api",
    "read_accounts": "followaudit.formats",
    "ReadResult": "followaudit.formats",
    "load_model": "followaudit.model.forest",
    "Model": "followaudit.model.forest",
    "run_audits": "followaudit.live.audit",
    "AuditPlan": "followaudit.live.audit",
    "Gates": "followaudit.analysis.gates",
    "PlanReady": "followaudit.live.audit",
    "Ceilings": "followaudit.live.budget",
    "RunPlan": "followaudit.live.plan",
    "ScanOptions": "followaudit.live.scan",
    "Http": "followaudit.live.http",
    "parse_handle": "followaudit.handles",
}

if TYPE_CHECKING:
    from followaudit.analysis.gates import Gates
    from followaudit.api import FollowauditWarning, score
    from followaudit.formats import ReadResult, read_accounts
    from followaudit.handles import parse_handle
    from followaudit.live.audit import AuditPlan, PlanReady, run_audits
    from followaudit.live.budget import Ceilings
    from followaudit.live.http import Http
    from followaudit.live.plan import RunPlan
    from followaudit.live.scan import ScanOptions
    from followaudit.model.forest import Model, load_model


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'followaudit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
