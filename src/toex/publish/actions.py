"""Recommended actions for a suspect profile, each tied to the facts that prompt it.

Rules over one row of ``assess_perpetrator_priority`` (and what the pack knows of his
victims' safeguarding): the responses the briefing's "Billy" case shows worked (a single
point of coordination, control measures, civil orders, specialist offender management),
the MATAC definition of a serial perpetrator, and the Priority Perpetrator Identification
Tool's critical items (recent, escalating, repeat offending). Sources: docs/publish.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

RECENT_DAYS = 90


@dataclass(frozen=True)
class Action:
    """One recommendation and the facts behind it."""

    text: str
    because: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def recommended_actions(
    p: Mapping[str, Any],
    *,
    force_names: Mapping[str, str],
    victims_without_referral: int = 0,
) -> list[Action]:
    """The actions the facts of perpetrator row ``p`` call for, most urgent first.

    ``force_names`` maps force codes to names; ``victims_without_referral`` counts his
    victims in the safeguarding checks with no referral recorded.
    """
    out: list[Action] = []
    days = p.get("days_since_last_vawg")
    if days is not None and days <= RECENT_DAYS:
        out.append(
            Action(
                "Consider immediate control measures: arrest strategy, bail conditions and "
                "interim orders (for example an interim Sexual Risk Order).",
                f"his latest VAWG offence was {days} days before the data end",
            )
        )
    if p.get("escalating"):
        out.append(
            Action(
                "Review risk now: refer to MARAC/MATAC for a multi-agency risk assessment.",
                f"harm is escalating ({p.get('harm_12m', 0):,.0f} days of harm in the last "
                f"12 months against {p.get('harm_prev_12m', 0):,.0f} in the 12 before)",
            )
        )
    oics, lpcs = int(p.get("n_oics") or 0), int(p.get("n_lpcs") or 0)
    if oics >= 3 or lpcs >= 2:
        out.append(
            Action(
                "Appoint a single point of coordination and investigation (one OIC or "
                "team for all his VAWG offences).",
                f"his {_plural(int(p.get('n_vawg_offences') or 0), 'VAWG offence')} are "
                f"with {_plural(oics, 'officer')} in charge across {_plural(lpcs, 'LPC')}",
            )
        )
    forces = [f for f in str(p.get("offence_forces") or "").split(",") if f]
    if len(forces) > 1:
        names = ", ".join(force_names.get(f, f) for f in forces)
        out.append(
            Action(
                "Agree a lead force and share intelligence through the regional unit.",
                f"his VAWG offences are recorded by {names}",
            )
        )
    children = int(p.get("n_child_victims") or 0)
    if children:
        out.append(
            Action(
                "Refer to the child sexual exploitation / child protection team and consider "
                "a Sexual Harm Prevention Order or Sexual Risk Order.",
                f"{_plural(children, 'victim')} were children at the first offence",
            )
        )
    victims = int(p.get("n_victims") or 0)
    if victims >= 2 and int(p.get("n_vawg_offences") or 0) >= 2:
        out.append(
            Action(
                "Manage as a serial perpetrator (MATAC): specialist offender management and "
                "proactive policing of any order's conditions.",
                f"{_plural(victims, 'victim')} of his VAWG offences",
            )
        )
    if victims_without_referral:
        out.append(
            Action(
                "Complete safeguarding for his victims with no referral recorded (see the "
                "safeguarding health checks).",
                f"{_plural(victims_without_referral, 'victim')} with no safeguarding referral "
                "recorded",
            )
        )
    out.append(
        Action(
            "Decide at this FTTCG whether to adopt him, name an owner, and record the decision "
            "on the pack's feedback form.",
            "ranked in the force's top three priority VAWG perpetrators",
        )
    )
    return out
