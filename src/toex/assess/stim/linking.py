"""Linking accounts into cases: shared phones, payers, emails and near-duplicate templates.

A case is a connected group of accounts in the graph whose edges are shared key values
(:func:`toex.assess.stim.derive.account_keys`, hubs removed) and near-duplicate advert
texts (:mod:`toex.assess.stim.minhash`). Each key value shared by n accounts contributes a
chain of n-1 edges, which gives the same components as the full clique at a fraction of
the size. Components come from igraph (tests check them against networkx). The case ID is
``STIM-`` plus a hash of the smallest account ID in the group (:func:`case_id_of`), so it
stays the same across runs while that account stays in the case, yet names no account: a
case can hold several partners' accounts, and each partner sees the case ID.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd

from toex.assess.stim.derive import shared_keys
from toex.assess.stim.indicators import LinkingConfig
from toex.assess.stim.minhash import (
    LshParams,
    WordMasker,
    exact_duplicate_pairs,
    near_duplicate_pairs,
)

EDGE_COLUMNS = ["account_a", "account_b", "kind", "value"]


@dataclass(frozen=True)
class TemplateLinks:
    """Account pairs linked by near-duplicate adverts, and the template groups dropped as
    stock text (spanning too many accounts)."""

    edges: pd.DataFrame
    dropped_groups: int


def key_edges(keys: pd.DataFrame) -> pd.DataFrame:
    """Chain edges between the accounts sharing each key value (one chain per value)."""
    shared = shared_keys(keys)
    if shared.empty:
        return pd.DataFrame(columns=EDGE_COLUMNS)
    shared = shared.sort_values(["kind", "value", "account_id"]).reset_index(drop=True)
    same_next = (shared["kind"].to_numpy()[1:] == shared["kind"].to_numpy()[:-1]) & (
        shared["value"].to_numpy()[1:] == shared["value"].to_numpy()[:-1]
    )
    left = shared.iloc[:-1][same_next]
    right = shared.iloc[1:][same_next]
    return pd.DataFrame(
        {
            "account_a": left["account_id"].to_numpy(),
            "account_b": right["account_id"].to_numpy(),
            "kind": left["kind"].to_numpy(),
            "value": left["value"].to_numpy(),
        }
    )


def _advert_components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes joined by ``pairs`` (igraph)."""
    graph = ig.Graph(n=n, edges=pairs.tolist() if len(pairs) else [], directed=False)
    return np.asarray(graph.connected_components().membership, dtype=np.int64)


def lsh_params(linking: LinkingConfig) -> LshParams:
    """The MinHash LSH settings of a linking configuration."""
    return LshParams(
        num_perm=linking.minhash_num_perm,
        seed=linking.minhash_seed,
        shingle=linking.shingle_words,
        threshold=linking.minhash_threshold,
        fn_weight=linking.lsh_recall_weight,
        window=linking.lsh_bucket_window,
    )


def template_edges(
    adverts: pd.DataFrame,
    linking: LinkingConfig,
    *,
    exact: bool = False,
    masker: WordMasker | None = None,
) -> TemplateLinks:
    """Account pairs whose adverts are near-duplicates (MinHash LSH, slots masked by
    ``masker`` when given), or identical in wording when ``exact``; a template group
    spanning more than ``max_accounts_per_template`` accounts is dropped as stock text.
    The result depends only on the adverts and their order (the caller sorts them)."""
    texts = adverts["text"].tolist()
    params = lsh_params(linking)
    pairs = (
        exact_duplicate_pairs(texts) if exact else near_duplicate_pairs(texts, params, masker)[0]
    )
    if len(pairs) == 0:
        return TemplateLinks(pd.DataFrame(columns=EDGE_COLUMNS), 0)
    group = _advert_components(len(texts), pairs)
    frame = pd.DataFrame({"group": group, "account_id": adverts["account_id"].to_numpy()})
    in_pairs = np.zeros(len(texts), dtype=bool)
    in_pairs[pairs.ravel()] = True
    frame = frame[in_pairs].drop_duplicates()
    sizes = frame.groupby("group")["account_id"].transform("nunique")
    dropped = int(frame.loc[sizes > linking.max_accounts_per_template, "group"].nunique())
    frame = frame[(sizes >= 2) & (sizes <= linking.max_accounts_per_template)]
    keys = pd.DataFrame(
        {
            "account_id": frame["account_id"].to_numpy(),
            "kind": "template",
            "value": "T" + frame["group"].astype(str).to_numpy(),
        }
    )
    return TemplateLinks(key_edges(keys), dropped)


def case_id_of(account_id: str) -> str:
    """The case ID of a case whose smallest account ID is ``account_id``: ``STIM-`` and the
    first 12 hex digits of its SHA-256 (opaque, stable, not guessable from an account)."""
    return "STIM-" + hashlib.sha256(account_id.encode("utf-8")).hexdigest()[:12].upper()


def components(account_ids: pd.Series, edges: pd.DataFrame) -> pd.DataFrame:
    """(account_id, case_id) for every account: connected components of ``edges``; the case
    ID is :func:`case_id_of` the component's smallest account ID (found by position in the
    sorted IDs, without a per-group string reduction)."""
    ids = pd.Index(pd.unique(account_ids.dropna().astype(str))).sort_values()
    if len(ids) == 0:
        return pd.DataFrame(columns=["account_id", "case_id"])
    if len(edges):
        a = ids.get_indexer(pd.Index(edges["account_a"].astype(str)))
        b = ids.get_indexer(pd.Index(edges["account_b"].astype(str)))
        ok = (a >= 0) & (b >= 0)
        pairs = np.stack([a[ok], b[ok]], axis=1)
    else:
        pairs = np.empty((0, 2), dtype=np.int64)
    member = _advert_components(len(ids), pairs)
    # ids are sorted, so a component's first position holds its smallest account ID.
    _, first = np.unique(member, return_index=True)
    case_ids = np.array([case_id_of(str(a)) for a in ids.to_numpy()[first]], dtype=object)
    return pd.DataFrame({"account_id": ids.to_numpy(), "case_id": case_ids[member]})
