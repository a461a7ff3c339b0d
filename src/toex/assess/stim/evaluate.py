"""Checking STIM against the synthetic ground truth (evaluation only; the pipeline never
reads truth).

- :func:`case_pairwise` compares predicted cases with ``truth/asw_accounts.parquet``'s
  ``case_id``: precision and recall over pairs of accounts placed in the same case (accounts
  without a true case are singletons);
- :func:`trafficking_in_high_cases` lists planted trafficking accounts whose case is not high;
- :func:`network_forces` names the forces in which a planted network's accounts are
  cross-matched to the network's members.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class PairScore:
    """Pairwise precision and recall of a grouping against the truth."""

    precision: float
    recall: float
    true_pairs: int
    predicted_pairs: int
    agreeing_pairs: int


def _pairs(labels: pd.Series) -> int:
    sizes = labels.value_counts()
    return int((sizes * (sizes - 1) // 2).sum())


def case_pairwise(predicted: pd.DataFrame, truth: pd.DataFrame) -> PairScore:
    """Pairwise scores of ``predicted`` (account_id, case_id) against ``truth``
    (account_id, case_id with nulls for accounts in no case)."""
    true = truth.set_index("account_id")["case_id"]
    true = true.where(true.notna(), "solo:" + true.index.to_series())
    pred = predicted.set_index("account_id")["case_id"].reindex(true.index)
    pred = pred.where(pred.notna(), "missing:" + pred.index.to_series())
    both = _pairs(pred.astype(str) + "|" + true.astype(str))
    p, t = _pairs(pred), _pairs(true)
    return PairScore(both / p if p else 1.0, both / t if t else 1.0, t, p, both)


def trafficking_in_high_cases(
    entity: pd.DataFrame, case: pd.DataFrame, truth: pd.DataFrame
) -> list[str]:
    """Planted trafficking accounts whose predicted case is not high risk (should be [])."""
    risk = case.set_index("case_id")["risk_level"]
    owner = entity.set_index("account_id")["case_id"]
    bad = []
    for account in truth.loc[truth["trafficking"].astype(bool), "account_id"]:
        case_id = owner.get(account)
        if case_id is None or risk.get(case_id) != "high":
            bad.append(str(account))
    return bad


def network_forces(
    crossmatch: pd.DataFrame,
    member: pd.DataFrame,
    truth_accounts: list[str],
    resolved_members: set[str],
) -> set[str]:
    """Forces in which the cases holding ``truth_accounts`` are strongly cross-matched to a
    resolved person in ``resolved_members`` (the planted network's members, resolved)."""
    cases = set(member.loc[member["account_id"].isin(truth_accounts), "case_id"])
    rows = crossmatch[
        crossmatch["case_id"].isin(cases)
        & crossmatch["person_id"].isin(resolved_members)
        & (crossmatch["strength"] == "strong")
    ]
    forces: set[str] = set()
    for value in rows["forces"]:
        forces |= {f for f in str(value).split(",") if f}
    return forces
