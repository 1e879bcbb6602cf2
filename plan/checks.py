"""What the data leaves unsettled in a plan — a stated budget total its lines do not make, targets
or assignments not entered, a review not available — kept out of the official text.

A :class:`Check` is shown on the plan's page before download and listed in the ``plan_checks``
report; the plan's PDF carries a "DỰ THẢO" mark until the data is fixed (no check left) or an
officer confirms the plan despite them. A confirmation holds for the checks it was given for:
``Plan.confirmed_warnings`` keeps their :func:`digest`, so a new or changed check lapses it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    #: the section of the plan it concerns ("IV", "II.2.1")
    section: str
    message: str
    #: what it is about, in words no language changes ("stated:12:3326600000:3049300000"): the
    #: digest reads this, so a confirmation given on an English page holds for the Vietnamese PDF
    key: str = ""


def digest(checks: list[Check]) -> str:
    """One fingerprint of the checks as the officer saw them (order does not matter), from
    their language-independent keys (the message where a check has none)."""
    lines = sorted(f"{c.section}\t{c.key or c.message}" for c in checks)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def is_confirmed(plan, checks: list[Check]) -> bool:
    """No check, or the officer confirmed exactly these checks."""
    if not checks:
        return True
    return bool(
        plan is not None and plan.confirmed_at and plan.confirmed_warnings == digest(checks)
    )
