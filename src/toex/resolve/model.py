"""Training and prediction with Splink: settings built from one spec for every engine, and
trained parameters stored as plain data (never engine SQL).

A :class:`ModelSpec` names the comparisons, blocking rules and training plan. The same spec
builds the settings for DuckDB or Spark; trained ``m``/``u`` values and the prior are copied
across as :data:`ModelParams` (a JSON-able dict), which is what a run stores.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from splink import Linker, SettingsCreator
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_vector_values import (
    compute_comparison_vector_values_from_id_pairs_sqls,
)
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.dialects import SplinkDialect
from splink.internals.pipeline import CTEPipeline
from splink.internals.predict import predict_from_comparison_vectors_sqls
from splink.internals.settings import Settings
from splink.internals.splink_dataframe import SplinkDataFrame
from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

from toex.errors import PipelineError
from toex.resolve.blocking import Block
from toex.resolve.clusters import AttributeConflict

ModelParams = dict[str, Any]
"""``{"probability_two_random_records_match": p, "comparisons": [{"name", "levels":
[{"label", "m_probability", "u_probability", "is_null_level"}]}]}``."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    """Everything that defines a model except its trained parameters."""

    name: str
    comparisons: Callable[[], list[ComparisonCreator]]
    blocking_rules: Callable[[], list[BlockingRuleCreator]]
    """Splink's blocking rules (used when ``blocks`` is empty, and in the settings)."""
    training_rules: Callable[[], list[BlockingRuleCreator]]
    deterministic_rules: Callable[[], list[BlockingRuleCreator]]
    deterministic_recall: float = 0.7
    unique_id_column: str = "mention_id"
    link_type: str = "dedupe_only"
    retain_columns: tuple[str, ...] = ()
    u_max_pairs: float = 1e6
    em_max_pairs: float | None = 1e6
    seed: int = 42
    blocks: tuple[Block, ...] = ()
    """The same rules as :class:`~toex.resolve.blocking.Block` (with their caps): the run
    builds the pairs to score from these in SQL and registers them with Splink."""
    conflict: Callable[[], str] | None = None
    """Condition on a scored pair that clustering must never join (model cannot-link)."""
    conflict_columns: tuple[str, ...] = ()
    """Feature columns the conflict condition reads as ``<column>_l`` / ``<column>_r``."""
    attribute_conflicts: Callable[[], list[AttributeConflict]] | None = None
    """Attributes two mentions of one cluster must not disagree on (cluster cannot-link)."""
    extra: dict[str, Any] = field(default_factory=dict)


def settings_creator(spec: ModelSpec) -> SettingsCreator:
    """Fresh Splink settings for ``spec`` (untrained)."""
    return SettingsCreator(
        link_type=spec.link_type,  # type: ignore[arg-type]
        comparisons=list[Any](spec.comparisons()),
        blocking_rules_to_generate_predictions=list[Any](spec.blocking_rules()),
        unique_id_column_name=spec.unique_id_column,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=list(spec.retain_columns),
        em_convergence=0.0001,
        max_iterations=25,
    )


def settings_dict(
    spec: ModelSpec, dialect: str, params: ModelParams | None = None
) -> dict[str, Any]:
    """The settings dict of ``spec`` in ``dialect`` with ``params`` (when given) applied."""
    d = settings_creator(spec).create_settings_dict(dialect)
    if params is not None:
        apply_params(d, params)
    return d


def apply_params(settings: dict[str, Any], params: ModelParams) -> None:
    """Write trained parameters into a settings dict in place.

    Comparisons are matched by name and levels by position; a structural mismatch (the
    stored model was trained with other comparisons) raises :class:`PipelineError`.
    """
    by_name = {c["name"]: c for c in params["comparisons"]}
    settings["probability_two_random_records_match"] = params[
        "probability_two_random_records_match"
    ]
    for comp in settings["comparisons"]:
        name = comp["output_column_name"]
        stored = by_name.get(name)
        levels = [lv for lv in comp["comparison_levels"]]
        if stored is None or len(stored["levels"]) != len(levels):
            raise PipelineError(f"stored model parameters do not fit comparison {name!r}")
        for lv, st in zip(levels, stored["levels"], strict=True):
            if lv.get("is_null_level"):
                continue
            lv["m_probability"] = st["m_probability"]
            lv["u_probability"] = st["u_probability"]


def linker_factory(
    db_api: DatabaseAPISubClass, table: object, spec: ModelSpec
) -> Callable[[ModelParams | None], Linker]:
    """``params -> linker`` over ``table`` (for :func:`train`)."""
    return lambda params: make_linker(db_api, table, spec, params)


def model_params(linker: Linker) -> ModelParams:
    """The trained parameters of ``linker`` as plain data."""
    d = linker.misc.save_model_to_json()
    comps = []
    for comp in d["comparisons"]:
        levels = []
        for lv in comp["comparison_levels"]:
            levels.append(
                {
                    "label": lv.get("label_for_charts") or lv["sql_condition"],
                    "m_probability": lv.get("m_probability"),
                    "u_probability": lv.get("u_probability"),
                    "is_null_level": bool(lv.get("is_null_level", False)),
                    "tf_adjustment_column": lv.get("tf_adjustment_column"),
                }
            )
        comps.append(
            {
                "name": comp["output_column_name"],
                "description": comp.get("comparison_description", ""),
                "levels": levels,
            }
        )
    return {
        "probability_two_random_records_match": d["probability_two_random_records_match"],
        "comparisons": comps,
    }


def make_linker(
    db_api: DatabaseAPISubClass, table: object, spec: ModelSpec, params: ModelParams | None = None
) -> Linker:
    """A linker over ``table`` (a table name or frame the backend accepts), untrained or
    holding ``params``. Each call registers the table under a fresh Splink name."""
    sdf = db_api.register(table)
    settings = settings_dict(spec, db_api.sql_dialect.sql_dialect_str, params)
    return Linker(sdf, settings, log_level=logging.WARNING)


def train(new_linker: Callable[[ModelParams | None], Linker], spec: ModelSpec) -> ModelParams:
    """Unsupervised training: prior from deterministic rules, u by random sampling, m by EM
    over each training rule (with ``max_pairs``). Returns the trained parameters.

    ``new_linker(params)`` makes a linker over the features (untrained for ``None``). An EM
    round that Splink aborts because an ``m`` underflows (a level no true match shows in the
    sample) leaves its linker unusable: training goes on from a fresh linker holding the
    parameters as they were before that round, and the other rounds estimate the rest.
    """
    linker = new_linker(None)
    linker.training.estimate_probability_two_random_records_match(
        list[Any](spec.deterministic_rules()), recall=spec.deterministic_recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=spec.u_max_pairs, seed=spec.seed)
    for rule in spec.training_rules():
        before = model_params(linker)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=spec.em_max_pairs, estimate_without_term_frequencies=True
            )
        except ValueError as exc:
            if "below the minimum allowed value" not in str(exc):
                raise
            _log.warning("EM round skipped: %s", exc)
            linker = new_linker(before)
    return fill_untrained(floor_m(model_params(linker)), spec.u_max_pairs)


M_FLOOR = 0.001
"""Smallest m kept for a trained level: EM drives the m of a level no sampled true match
shows to zero, which would make that level an absolute veto (a weight below -100)."""


def floor_m(params: ModelParams, floor: float = M_FLOOR) -> ModelParams:
    """``params`` with every trained m below ``floor`` raised to it (a new dict)."""
    out = json.loads(json.dumps(params))
    for comp in out["comparisons"]:
        for lv in comp["levels"]:
            m = lv.get("m_probability")
            if m is not None and not lv["is_null_level"] and m < floor:
                lv["m_probability"] = floor
    return out


def fill_untrained(params: ModelParams, u_pairs: float) -> ModelParams:
    """``params`` with levels the data never showed given cautious values (a new dict), so
    prediction never falls back on Splink's defaults.

    A level neither the random sample nor training showed weighs nothing (m = u =
    :data:`M_FLOOR`). A level training never showed gets m = :data:`M_FLOOR`. A level
    only the random sample never showed gets u = 1 / (2 ``u_pairs``) (half a pair).
    """
    out = json.loads(json.dumps(params))
    for comp in out["comparisons"]:
        for lv in comp["levels"]:
            if lv["is_null_level"]:
                continue
            m, u = lv.get("m_probability"), lv.get("u_probability")
            if m is None and u is None:
                lv["m_probability"] = lv["u_probability"] = M_FLOOR
            elif m is None:
                lv["m_probability"] = M_FLOOR
            elif u is None:
                lv["u_probability"] = 0.5 / max(u_pairs, 1.0)
    return out


def predict(
    linker: Linker, min_probability: float, blocked_pairs: SplinkDataFrame | None = None
) -> SplinkDataFrame:
    """Scored pairs at or above ``min_probability``: the ``blocked_pairs`` when given
    (:func:`toex.resolve.blocking.blocked_pairs_sql`), else those of the spec's blocking
    rules.

    With ``blocked_pairs`` they are scored as one slice of :func:`predict_slices` (the run's
    own path) and the output is narrow (:func:`predict_narrow`): the mention IDs,
    ``match_weight``, ``match_probability``, ``match_key`` and one ``gamma_`` column per
    comparison, which is all a run stores."""
    if blocked_pairs is None:
        return linker.inference.predict(threshold_match_probability=min_probability)
    (scored,) = predict_slices(linker, [blocked_pairs], min_probability)
    return scored


def concat_with_tf(linker: Linker) -> SplinkDataFrame:
    """Materialise Splink's ``__splink__df_concat_with_tf`` (the input with its term
    frequencies) once, for :func:`predict_narrow` to score several slices against; the
    caller drops it when done."""
    pipeline = CTEPipeline()
    enqueue_df_concat_with_tf(linker, pipeline)
    return linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)


def predict_slices(
    linker: Linker, slices: Iterable[SplinkDataFrame], min_probability: float
) -> Iterator[SplinkDataFrame]:
    """Score blocked-pairs tables one after another (each registered in turn), against
    one materialised input (:func:`concat_with_tf`); yields each slice's narrow scored
    pairs, which the caller stores and drops before the next slice is scored."""
    concat = concat_with_tf(linker)
    try:
        for blocked in slices:
            registered = linker.table_management.register_blocked_pairs_for_predict(blocked)
            yield predict_narrow(linker, registered, min_probability, concat)
    finally:
        concat.drop_table_from_database_and_remove_from_cache()


def predict_narrow(
    linker: Linker, blocked: SplinkDataFrame, min_probability: float, concat: SplinkDataFrame
) -> SplinkDataFrame:
    """Score the registered ``blocked`` pairs (Splink's ``__splink__blocked_id_pairs``)
    with Splink's own comparison-vector and prediction SQL, keeping only the IDs, weights
    and gammas of the pairs at or above ``min_probability``.

    Splink's ``predict`` with ``retain_matching_columns`` (the only way it returns the
    gamma columns) also copies every compared column of both mentions into its output:
    on the small synthetic set that write was a third of the prediction time. The SQL
    here is Splink's (the same comparison and weight expressions, on either engine); only
    the final selection is narrower. ``concat`` is the materialised input
    (:func:`concat_with_tf`).
    """
    settings = linker._settings_obj
    info = settings.column_info_settings
    comparisons = settings.core_model_settings.comparisons
    dialect = linker._sql_dialect_str
    pipeline = CTEPipeline([blocked, concat])
    cv_columns = Settings.columns_to_select_for_comparison_vector_values(
        unique_id_input_columns=info.unique_id_input_columns,
        comparisons=comparisons,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )
    pipeline.enqueue_list_of_sqls(
        compute_comparison_vector_values_from_id_pairs_sqls(
            settings._columns_to_select_for_blocking,
            cv_columns,
            input_tablename_l="__splink__df_concat_with_tf",
            input_tablename_r="__splink__df_concat_with_tf",
            source_dataset_input_column=info.source_dataset_input_column,
            unique_id_input_column=info.unique_id_input_column,
            link_type=settings._link_type,
            sql_dialect_str=dialect,
        )
    )
    pipeline.enqueue_list_of_sqls(
        predict_from_comparison_vectors_sqls(
            unique_id_input_columns=info.unique_id_input_columns,
            core_model_settings=settings.core_model_settings,
            sql_dialect=SplinkDialect.from_string(dialect),
            threshold_match_probability=min_probability,
            retain_matching_columns=False,
            retain_intermediate_calculation_columns=False,
            # "training mode" keeps the gamma columns without the compared values.
            training_mode=True,
        )
    )
    return linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
