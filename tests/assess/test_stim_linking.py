"""Linking accounts into cases: components against networkx, hubs, templates."""

from __future__ import annotations

import random

import networkx as nx
import pandas as pd
import pytest

from toex.assess.stim.derive import split_hubs
from toex.assess.stim.indicators import LinkingConfig
from toex.assess.stim.linking import case_id_of, components, key_edges, template_edges


@pytest.mark.parametrize("seed", range(5))
def test_components_match_networkx_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    ids = [f"A{i:03d}" for i in range(120)]
    edges = pd.DataFrame(
        [(rng.choice(ids), rng.choice(ids), "phone", "x") for _ in range(90)],
        columns=["account_a", "account_b", "kind", "value"],
    )
    got = components(pd.Series(ids), edges)
    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from(zip(edges["account_a"], edges["account_b"], strict=True))
    expected = {frozenset(c) for c in nx.connected_components(g)}
    assert {frozenset(grp) for grp in got.groupby("case_id")["account_id"].agg(set)} == expected
    # The case ID is the hash of the smallest account of the case, and names no account.
    for case_id, grp in got.groupby("case_id"):
        assert case_id == case_id_of(min(grp["account_id"]))
        assert not any(a in case_id for a in grp["account_id"])


def test_key_edges_chain_every_account_sharing_a_value() -> None:
    keys = pd.DataFrame(
        {
            "account_id": ["A", "B", "C", "D"],
            "kind": "phone",
            "value": ["p1", "p1", "p1", "p2"],
            "source": "advert",
        }
    )
    edges = key_edges(keys)
    assert sorted(zip(edges["account_a"], edges["account_b"], strict=True)) == [
        ("A", "B"),
        ("B", "C"),
    ]


def test_hubs_link_nothing() -> None:
    keys = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(30)] + ["X", "Y"],
            "kind": "phone",
            "value": ["+447000000000"] * 30 + ["p", "p"],
            "source": "registration",
        }
    )
    usable, hubs = split_hubs(keys, max_accounts=25)
    assert hubs.to_dict("records") == [{"kind": "phone", "value": "+447000000000", "accounts": 30}]
    assert set(usable["account_id"]) == {"X", "Y"}


def test_stock_text_spanning_many_accounts_is_not_a_template() -> None:
    stock = "verified profile real photos discreet service available now call or text anytime"
    rows = [(f"V{i}", f"A{i}", stock) for i in range(30)]
    rows += [
        ("W1", "B1", "hi I am anna new girl in town sweet and friendly call me anytime"),
        ("W2", "B2", "hi I am bella new girl in town sweet and friendly call me anytime"),
    ]
    adverts = pd.DataFrame(rows, columns=["advert_id", "account_id", "text"])
    links = template_edges(adverts, LinkingConfig(max_accounts_per_template=25))
    assert links.dropped_groups == 1
    assert sorted(zip(links.edges["account_a"], links.edges["account_b"], strict=True)) == [
        ("B1", "B2")
    ]
