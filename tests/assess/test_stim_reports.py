"""The STIM report figures on the toy data."""

from __future__ import annotations

from dataclasses import dataclass, field

from toex.assess.stim.compute import compute_stim
from toex.assess.stim.indicators import load_indicators
from toex.assess.stim.reports import report_lines, stim_report

from .stim_toy import toy_data, with_templates


@dataclass
class Ref:
    case_id: str
    status: str
    outcome: str | None
    n_adverts: int
    regions: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)


def test_report_counts_over_assessed_entities() -> None:
    config = load_indicators()
    refs = [
        Ref("STIM-A1", "outcome", "full_adoption", 3, ["London"], ["British", "Romanian"]),
        Ref("STIM-A3", "referred", None, 1, ["North West"], ["Brazilian", "Polish"]),
    ]
    rep = stim_report(compute_stim(toy_data(), with_templates()), config, refs)
    assert rep.entities == 2  # A1 and A3 had staff calls
    by = {ln.code: (ln.count, ln.pct) for ln in rep.indicators}
    assert by["male_in_background"] == (1, 50.0)
    assert by["vague_misleading"] == (1, 50.0)
    assert by["multi_region"] == (0, 0.0)
    assert rep.at_least["high"].count == 1
    assert rep.at_least["medium"].count == 2
    assert rep.at_least["low"].count == 1  # A1 has only medium and high indicators
    outcomes = {o.code: (o.cases, o.adverts) for o in rep.outcomes}
    assert outcomes["full_adoption"] == (1, 3)
    assert outcomes["finalised"] == (0, 0)
    assert rep.referrals == 2
    assert [(c.label, c.count, c.pct) for c in rep.referral_regions] == [
        ("London", 1, 50.0),
        ("North West", 1, 50.0),
    ]
    assert rep.text_signals == {"obscured_phone": 1, "third_party_control": 1, "youth_language": 1}
    text = "\n".join(report_lines(rep))
    assert "A male attempting to pay for adverts" in text
    assert "Full adoption" in text
