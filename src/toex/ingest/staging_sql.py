"""SQL builders for one file's load: pure functions of a mapping and a header.

The loader runs these steps in order over the file's records in ``ingest_src`` (columns
``c0..cN``, ``source_row`` and maybe ``record_hash``); intermediate tables share the prefix
``ingest_``::

    ingest_values   trimmed raw value of every mapped field (f0, f1...), record id, key, hash
                    (record numbers renumbered around left-out rows on the way, if needed)
    ingest_lk<k>    per cleaned field: distinct raw values -> cleaned columns (built by cleaners)
    ingest_faults   (source_row, field, raw_value, reason_code, reason) for quarantined rows
    ingest_status   only when earlier versions of some records exist: their rows' status
                    (unchanged / updated); every other good row is new
    ingest_drop     record numbers not to stage: quarantined or unchanged

Each target's rows are inserted straight from ``ingest_values`` joined to the lookups that
target needs, without materialising a wide joined table (see docs/decisions.md). Each builder
returns SQL text; nothing here touches a connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toex.ingest.cleaners import RAW
from toex.ingest.cleaners.base import sql_str
from toex.ingest.cleaners.codes import MarkingCleaner
from toex.ingest.readers.csv_scan import PLACEHOLDER

__all__ = ["sql_str"]
from toex.ingest.mapping import (
    ID_COLUMNS,
    MARKINGS,
    PROVENANCE_DEFAULTS,
    FieldSpec,
    Mapping,
    TargetSpec,
)
from toex.model.ids import ID_LENGTH
from toex.model.tables import STAGED_TABLES, TableSpec

SOURCE = "ingest_src"
DUCK_TYPES = {
    "string": "VARCHAR",
    "int64": "BIGINT",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "float64": "DOUBLE",
    "timestamp": "TIMESTAMP",
}
STAGED = {t.name: t for t in STAGED_TABLES}
REASONS = {
    "missing_required": "'required field is empty'",
    "bad_date": "'''' || {raw} || ''' is not a date'",
    "unknown_offence_code": "'''' || {raw} || ''' is not a known Home Office offence code'",
    "bad_value": "'''' || {raw} || ''' is not a valid {cleaner}'",
}


def stable_id_sql(*exprs: str) -> str:
    """SQL computing :func:`toex.model.ids.stable_id` of the given SQL expressions."""
    parts = ", ".join(f"coalesce(CAST({e} AS VARCHAR), '')" for e in exprs)
    return f"left(md5(concat_ws(chr(31), {parts})), {ID_LENGTH})"


def raw_sql(column_index: int) -> str:
    """Trimmed raw value of source column ``c<i>``; NULL when blank."""
    return f"NULLIF(TRIM(c{column_index}), '')"


@dataclass(frozen=True)
class FieldSlot:
    """A mapping field placed in the plan: its SQL alias and its source columns' label."""

    alias: str
    spec: FieldSpec
    label: str

    @property
    def lookup(self) -> str | None:
        """Name of the field's lookup table (``None`` for inline cleaners)."""
        return None if self.spec.cleaner.inline else f"ingest_lk_{self.alias}"


@dataclass
class Plan:
    """Where every mapped value lives in the load's SQL, for one mapping and one header."""

    mapping: Mapping
    positions: dict[str, int]
    force: str
    source_file: str
    load_id: str
    has_hash: bool
    into: str = ""  # prefix of the tables staged rows and raw records go to ("buffer_")
    provenance: dict[str, FieldSlot] = field(default_factory=dict)
    target_fields: list[list[FieldSlot]] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # ID SQL -> its column in ingest_values

    def __post_init__(self) -> None:
        aliases: dict[tuple[object, ...], str] = {}

        def place(spec: FieldSpec) -> FieldSlot:
            # fields reading the same columns with the same cleaner share one alias and lookup
            key = (
                type(spec.cleaner).__name__,
                repr(sorted(spec.cleaner.args.items())),
                spec.columns,
                spec.sep,
                spec.default,
                spec.required,
            )
            alias = aliases.setdefault(key, f"f{len(aliases)}")
            return FieldSlot(alias, spec, "+".join(spec.columns))

        for key, spec in self.mapping.provenance.items():
            self.provenance[key] = place(spec)
        for target in self.mapping.targets:
            self.target_fields.append([place(spec) for spec in target.fields])
        for index in range(len(self.mapping.targets)):
            _target_columns(self, index, {})  # registers the IDs the targets use

    def shared_id(self, *exprs: str) -> str:
        """``v.<column>`` of the stable ID of ``exprs`` (SQL over ``ingest_values`` columns).

        Each distinct ID (a mention's, its event's...) is computed once per record, in
        ``ingest_values``, however many targets use it.
        """
        sql = stable_id_sql(*exprs)
        alias = self.ids.setdefault(sql, f"id{len(self.ids)}")
        return f"v.{alias}"

    @property
    def fields(self) -> list[FieldSlot]:
        """One slot per distinct alias: provenance first, then each target's fields."""
        slots = [*self.provenance.values(), *(s for ts in self.target_fields for s in ts)]
        return list({s.alias: s for s in reversed(slots)}.values())[::-1]

    def col(self, name: str) -> str:
        """Raw SQL of a source column by name."""
        return raw_sql(self.positions[name])

    def key_columns(self) -> list[str]:
        """Record id and event reference columns: each must be present in every record."""
        m = self.mapping
        refs = [t.event.reference for t in m.targets if t.event is not None]
        return list(dict.fromkeys([*m.record_id, *refs]))

    def key_alias(self, column: str) -> str:
        """Alias of a key column's raw value in ``ingest_values``."""
        return f"k{self.key_columns().index(column)}"

    def literal(self, value: str) -> str:
        """A SQL string literal."""
        return sql_str(value)


def _field_raw(plan: Plan, spec: FieldSpec) -> str:
    if len(spec.columns) == 1:
        raw = plan.col(spec.columns[0])
    else:
        parts = ", ".join(plan.col(c) for c in spec.columns)
        raw = f"NULLIF(concat_ws({sql_str(spec.sep)}, {parts}), '')"
    if spec.default is not None:
        raw = f"coalesce({raw}, {sql_str(spec.default)})"
    return raw


def record_id_sql(plan: Plan) -> str:
    """SQL of the record id: the record id columns' values joined with ``/``."""
    cols = plan.mapping.record_id
    if len(cols) == 1:
        return plan.col(cols[0])
    parts = ", ".join(plan.col(c) for c in cols)
    nulls = " OR ".join(f"{plan.col(c)} IS NULL" for c in cols)
    return f"CASE WHEN {nulls} THEN NULL ELSE concat_ws('/', {parts}) END"


def renumber_expr(skipped: list[int], column: str = "source_row") -> str:
    """SQL turning a good row's position ``column`` into its record number.

    ``skipped`` are the record numbers of the rows the reader left out. With them sorted
    s_1 < s_2 < ..., the j-th good row is record j + m(j), m(j) = #{m : s_m - m < j}; the
    thresholds ``s_m - m`` are few (one per malformed row), so this is a CASE over them,
    largest first. Without skipped rows it is ``column`` itself.
    """
    thresholds = [s - m for m, s in enumerate(sorted(set(skipped)), start=1)]
    if not thresholds:
        return column
    cases = " ".join(
        f"WHEN {column} > {t} THEN {m}"
        for m, t in sorted(enumerate(thresholds, start=1), key=lambda mt: -mt[0])
    )
    return f"({column} + CASE {cases} ELSE 0 END)"


def values_sql(plan: Plan, n_columns: int, row: str = "source_row") -> str:
    """``ingest_values``: one row per record with every mapped raw value.

    ``row`` is the SQL of the record number (see :func:`renumber_expr`).
    """
    m = plan.mapping
    if plan.has_hash:
        record_hash = "record_hash"
    else:
        cols = ", ".join(f"coalesce(c{i}, '')" for i in range(n_columns))
        record_hash = f"sha256(concat_ws(chr(31), {cols}))"
    select = [
        f"{row} AS source_row",
        f"{record_hash} AS record_hash",
        f"{record_id_sql(plan)} AS source_record_id",
    ]
    for slot in plan.fields:
        select.append(f"{_field_raw(plan, slot.spec)} AS {slot.alias}")
    for col in plan.key_columns():
        select.append(f"{plan.col(col)} AS {plan.key_alias(col)}")
    for i, target in enumerate(m.targets):
        if target.when_any:
            cond = " OR ".join(f"{plan.col(c)} IS NOT NULL" for c in target.when_any)
            select.append(f"({cond}) AS when{i}")
        if target.attributes:
            pairs = ", ".join(f"{sql_str(k)}, {plan.col(c)}" for k, c in target.attributes.items())
            select.append(f"CAST(json_object({pairs}) AS VARCHAR) AS attr{i}")
    key = stable_id_sql(
        plan.literal(plan.force),
        plan.literal(m.source_system),
        plan.literal(m.kind),
        "source_record_id",
    )
    ids = "".join(f", {sql} AS {alias}" for sql, alias in plan.ids.items())
    return (
        f"CREATE OR REPLACE TEMP TABLE ingest_values AS SELECT *, {key} AS record_key{ids} "
        f"FROM (SELECT {', '.join(select)} FROM {SOURCE})"
    )


def distinct_sql(slot: FieldSlot) -> str:
    """The distinct present raw values of a field, as column ``raw``."""
    return (
        f"SELECT DISTINCT {slot.alias} AS {RAW} FROM ingest_values WHERE {slot.alias} IS NOT NULL"
    )


def _cleaned_sql(slot: FieldSlot, column: str, v: str = "v") -> str:
    """SQL of a slot's cleaned ``column`` (a lookup column, or ``value`` for inline cleaners)."""
    if slot.lookup is None:
        return slot.spec.cleaner.inline_sql(f"{v}.{slot.alias}")
    return f"{slot.lookup}.{column}"


def _failed_sql(slot: FieldSlot) -> str:
    """The present raw values of a lookup field that did not clean (column ``raw``)."""
    cleaner = slot.spec.cleaner
    return f"(SELECT {RAW} FROM {slot.lookup} WHERE {cleaner.ok_column} IS NULL)"


def clean_sql(plan: Plan) -> str:
    """``ingest_clean`` (a view, for ``mapping check``): values joined to every lookup.

    Columns: the values, ``<alias>_<lookup column>`` (``<alias>_value`` for inline
    cleaners) and ``<alias>_ok``.
    """
    select = ["v.*"]
    joins = []
    for slot in plan.fields:
        cleaner = slot.spec.cleaner
        if slot.lookup is None:
            select.append(f"{_cleaned_sql(slot, 'value')} AS {slot.alias}_value")
            select.append(f"TRUE AS {slot.alias}_ok")
            continue
        lk = slot.lookup
        joins.append(f"LEFT JOIN {lk} ON {lk}.{RAW} = v.{slot.alias}")
        for col in cleaner.lookup_types:
            select.append(f"{lk}.{col} AS {slot.alias}_{col}")
        select.append(
            f"(v.{slot.alias} IS NULL OR {lk}.{cleaner.ok_column} IS NOT NULL) AS {slot.alias}_ok"
        )
    return (
        f"CREATE OR REPLACE TEMP VIEW ingest_clean AS SELECT {', '.join(select)} "
        f"FROM ingest_values v {' '.join(joins)}"
    )


def _reason_sql(code: str, raw: str, cleaner: str) -> str:
    return REASONS[code].format(raw=raw, cleaner=cleaner)


def faults_sql(plan: Plan) -> list[str]:
    """SELECTs (source_row, field, raw_value, reason_code, reason) of quarantined rows.

    Each required field is checked against the values its own lookup failed to clean (a
    small set), straight from ``ingest_values``.
    """
    out = []
    missing = _reason_sql("missing_required", "", "")
    for col in plan.key_columns():
        out.append(
            f"SELECT source_row, {sql_str(col)} AS field, NULL AS raw_value, "
            f"'missing_required' AS reason_code, {missing} AS reason "
            f"FROM ingest_values WHERE {plan.key_alias(col)} IS NULL"
        )
    for slot in plan.fields:
        if not slot.spec.required:
            continue
        cleaner = slot.spec.cleaner
        code = cleaner.reason_code
        a = f"v.{slot.alias}"
        bad = _reason_sql(code, a, cleaner.name)
        failed = "FALSE" if slot.lookup is None else f"{a} IN {_failed_sql(slot)}"
        out.append(
            f"SELECT v.source_row, {sql_str(slot.label)} AS field, {a} AS raw_value, "
            f"CASE WHEN {a} IS NULL THEN 'missing_required' ELSE '{code}' END, "
            f"CASE WHEN {a} IS NULL THEN {missing} ELSE {bad} END "
            f"FROM ingest_values v WHERE {a} IS NULL OR {failed}"
        )
    for key, slot, cleaner in marking_slots(plan):
        if cleaner.unknown != "quarantine":
            continue
        a = f"v.{slot.alias}"
        out.append(
            f"SELECT v.source_row, {sql_str(slot.label)} AS field, {a} AS raw_value, "
            f"{_marking_code_sql(a)}, {_marking_reason_sql(cleaner, a)} "
            f"FROM ingest_values v WHERE {unknown_marking_sql(plan, key, slot)}"
        )
    return out


def marking_slots(plan: Plan) -> list[tuple[str, FieldSlot, MarkingCleaner]]:
    """The protective markings the mapping reads from a column: (key, slot, cleaner)."""
    out = []
    for key in MARKINGS:
        slot = plan.provenance.get(key)
        if slot is not None and isinstance(slot.spec.cleaner, MarkingCleaner):
            out.append((key, slot, slot.spec.cleaner))
    return out


def _accepted_sql(slot: FieldSlot) -> str:
    return f"(SELECT {RAW} FROM {slot.lookup} WHERE value IS NOT NULL)"


def unknown_marking_sql(plan: Plan, key: str, slot: FieldSlot, v: str = "v") -> str:
    """SQL: the record's marking ``key`` is empty or not accepted (an ``ingest_values`` row).

    An empty handling code with a readable 3x5x2 grade is not unknown: the grade's handling
    letter fills it.
    """
    a = f"{v}.{slot.alias}"
    cond = f"({a} IS NULL OR {a} NOT IN {_accepted_sql(slot)})"
    grading = plan.provenance.get("grading")
    if key == "handling_code" and grading is not None:
        g = f"{v}.{grading.alias}"
        cond = (
            f"({cond} AND NOT ({a} IS NULL AND coalesce({g} IN {_accepted_sql(grading)}, FALSE)))"
        )
    return cond


def _marking_code_sql(a: str) -> str:
    return f"CASE WHEN {a} IS NULL THEN 'missing_marking' ELSE 'unknown_marking' END"


def _marking_reason_sql(cleaner: MarkingCleaner, a: str) -> str:
    empty = sql_str(f"the {cleaner.what} is empty")
    tail = sql_str(
        f"' is not a {cleaner.what} this mapping accepts ({', '.join(cleaner.accepted)})"
    )
    return f"CASE WHEN {a} IS NULL THEN {empty} ELSE '''' || {a} || {tail} END"


def marking_issues_sql(plan: Plan) -> str | None:
    """SELECT of ``raw_marking_issue`` rows: every record with an empty or unknown marking.

    ``marking`` is what the staged record got (``unknown: restrict``); rows quarantined (for
    their marking or another fault) have ``action`` quarantined and no marking.
    """
    parts = []
    quarantined = "v.source_row IN (SELECT source_row FROM ingest_faults)"
    for key, slot, cleaner in marking_slots(plan):
        a = f"v.{slot.alias}"
        parts.append(
            f"SELECT {sql_str(plan.load_id)}, {sql_str(plan.source_file)}, v.source_row, "
            f"{sql_str(slot.label)}, CASE WHEN length({a}) > 200 THEN left({a}, 199) || '…' "
            f"ELSE {a} END, {_marking_code_sql(a)}, {_marking_reason_sql(cleaner, a)}, "
            f"CASE WHEN {quarantined} THEN NULL ELSE {cleaner.restricted_sql(a)} END, "
            f"CASE WHEN {quarantined} THEN 'quarantined' ELSE 'restricted' END "
            f"FROM ingest_values v WHERE {unknown_marking_sql(plan, key, slot)}"
        )
    return " UNION ALL ".join(parts) or None


def unreadable_sql(
    plan: Plan, columns: list[str], encoding: str | None, row: str = "source_row"
) -> list[str]:
    """SELECTs of rows holding U+FFFD (bytes that did not decode) in any column."""
    what = f"not valid {encoding}" if encoding else "not valid text"
    return [
        f"SELECT {row} AS source_row, {sql_str(name)} AS field, c{i} AS raw_value, "
        f"'unreadable', 'contains bytes that are {what}' FROM {SOURCE} "
        f"WHERE contains(c{i}, '\ufffd')"
        for i, name in enumerate(columns)
    ]


def oversized_sql(
    columns: list[str], over: list[int], max_bytes: int, row: str = "source_row"
) -> list[str]:
    """SELECTs of rows with a value longer than ``max_bytes`` (UTF-8) in the ``over`` columns,
    or the CSV reader's placeholder for one (which carries the value's size)."""
    out = []
    mark = sql_str(PLACEHOLDER)
    for i in over:
        c = f"c{i}"
        placed = f"starts_with({c}, {mark})"
        told = f"CAST(substr({c}, {len(PLACEHOLDER) + 1}) AS BIGINT)"
        size = f"CASE WHEN {placed} THEN {told} ELSE strlen({c}) END"
        out.append(
            f"SELECT {row} AS source_row, {sql_str(columns[i])} AS field, "
            f"CASE WHEN {placed} THEN NULL ELSE left({c}, 200) END AS raw_value, "
            f"'field_too_large', 'the value is ' || format('{{:,}}', {size}) || "
            f"' bytes, over the field size cap of {max_bytes:,} bytes "
            f"(TOEX_INGEST_MAX_FIELD_BYTES)' FROM {SOURCE} "
            f"WHERE strlen({c}) > {int(max_bytes)} OR {placed}"
        )
    return out


def issues_sql(plan: Plan) -> str:
    """Counts of non-required values cleaned to NULL, per field and reason, on good rows.

    Good rows are the rows not quarantined (unchanged rows included).
    """
    parts = []
    markings = {slot.alias for _, slot, _ in marking_slots(plan)}
    for slot in plan.fields:
        if slot.spec.required or slot.lookup is None or slot.alias in markings:
            continue
        parts.append(
            f"SELECT {sql_str(slot.label)} AS field, "
            f"{sql_str(slot.spec.cleaner.reason_code)} AS reason_code, count(*) AS rows, "
            f"min({slot.alias}) AS example FROM ingest_values "
            f"WHERE {slot.alias} IN {_failed_sql(slot)} "
            f"AND source_row NOT IN (SELECT source_row FROM ingest_faults) HAVING count(*) > 0"
        )
    return " UNION ALL ".join(parts)


def keys_in_sql(plan: Plan, table: str) -> str:
    """How many of the file's record keys ``table`` (a ``raw_record`` table) already holds."""
    return (
        f"SELECT count(*) FROM {table} WHERE force = {plan.literal(plan.force)} "
        f"AND source_system = {plan.literal(plan.mapping.source_system)} "
        "AND record_key IN (SELECT record_key FROM ingest_values)"
    )


def existing_sql(plan: Plan) -> str:
    """``ingest_existing``: (record_key, record_hash) of this file's records already staged.

    ``raw_record`` is narrowed to the file's force and system first (record keys include
    both), so a first load only scans that slice.
    """
    return (
        "CREATE OR REPLACE TEMP TABLE ingest_existing AS SELECT DISTINCT record_key, "
        f"record_hash FROM raw_record WHERE force = {plan.literal(plan.force)} "
        f"AND source_system = {plan.literal(plan.mapping.source_system)} "
        "AND record_key IN (SELECT record_key FROM ingest_values)"
    )


def status_sql() -> list[str]:
    """``ingest_status``: the good rows whose record key was staged before, with a status.

    A row is ``unchanged`` when ``raw_record`` holds its record key with the same hash,
    ``updated`` when it holds the key with another hash; good rows not listed are ``new``.
    Every row of a key with an updated row counts as updated (``ingest_updated_keys``): the
    key's earlier rows are superseded and all its incoming rows staged.
    """
    return [
        "CREATE OR REPLACE TEMP TABLE ingest_status AS SELECT v.source_row, v.record_key, "
        "CASE WHEN h.record_key IS NOT NULL THEN 'unchanged' ELSE 'updated' END AS status "
        "FROM ingest_values v "
        "JOIN (SELECT DISTINCT record_key FROM ingest_existing) k ON k.record_key = v.record_key "
        "LEFT JOIN ingest_existing h ON h.record_key = v.record_key "
        "AND h.record_hash = v.record_hash "
        "WHERE v.source_row NOT IN (SELECT source_row FROM ingest_faults)",
        "CREATE OR REPLACE TEMP TABLE ingest_updated_keys AS SELECT DISTINCT record_key "
        "FROM ingest_status WHERE status = 'updated'",
        "UPDATE ingest_status SET status = 'updated' WHERE status = 'unchanged' AND record_key "
        "IN (SELECT record_key FROM ingest_updated_keys)",
    ]


def drop_sql(with_status: bool) -> str:
    """``ingest_drop``: record numbers not to stage (quarantined, or unchanged)."""
    unchanged = (
        " UNION SELECT source_row FROM ingest_status WHERE status = 'unchanged'"
        if with_status
        else ""
    )
    return (
        "CREATE OR REPLACE TEMP TABLE ingest_drop AS "
        f"SELECT DISTINCT source_row FROM ingest_faults{unchanged}"
    )


def counts_sql(with_status: bool) -> str:
    """One row: rows quarantined, rows loaded (good), rows unchanged, rows updated."""
    status = (
        "(SELECT count(*) FILTER (WHERE status = 'unchanged') FROM ingest_status), "
        "(SELECT count(*) FILTER (WHERE status = 'updated') FROM ingest_status)"
        if with_status
        else "0, 0"
    )
    return (
        "SELECT (SELECT count(DISTINCT source_row) FROM ingest_faults), "
        "(SELECT count(*) FROM ingest_values "
        "WHERE source_row NOT IN (SELECT source_row FROM ingest_faults)), "
        f"{status}"
    )


def supersede_sql(load_id: str) -> list[str]:
    """Move the staged rows of updated records to ``<table>_history``, then drop them."""
    old = (
        "(SELECT r.force, r.source_system, r.source_record_id, r.record_hash "
        "FROM raw_record r JOIN ingest_updated_keys USING (record_key))"
    )
    on = (
        "t.force = o.force AND t.source_system = o.source_system "
        "AND t.source_record_id = o.source_record_id AND t.record_hash = o.record_hash"
    )
    out = []
    for spec in STAGED_TABLES:
        out.append(
            f"INSERT INTO {spec.name}_history SELECT t.*, {sql_str(load_id)}, "
            f"now()::TIMESTAMP FROM {spec.name} t JOIN {old} o ON {on}"
        )
        out.append(f"DELETE FROM {spec.name} t USING {old} o WHERE {on}")
    out.append(
        "DELETE FROM raw_record WHERE record_key IN (SELECT record_key FROM ingest_updated_keys)"
    )
    return out


STAGE_ROWS = "v.source_row NOT IN (SELECT source_row FROM ingest_drop)"


def raw_record_sql(plan: Plan) -> str:
    """Record the current version of every new or updated record in ``raw_record``."""
    return (
        f"INSERT INTO {plan.into}raw_record SELECT v.record_key, "
        f"{sql_str(plan.mapping.name)}, {sql_str(plan.force)}, "
        f"{sql_str(plan.mapping.source_system)}, {sql_str(plan.source_file)}, v.source_row, "
        f"v.source_record_id, v.record_hash, {sql_str(plan.load_id)} "
        f"FROM ingest_values v WHERE {STAGE_ROWS}"
    )


def _event_link(plan: Plan) -> tuple[int, TargetSpec] | None:
    """The target whose event the other targets' rows belong to: an event target first."""
    targets = list(enumerate(plan.mapping.targets))
    for i, t in sorted(targets, key=lambda it: it[1].table != "staged_event"):
        if t.event is not None:
            return i, t
    return None


def _target_columns(plan: Plan, index: int, used: dict[str, FieldSlot]) -> dict[str, str]:
    """Table column -> SQL over ``v`` (an ``ingest_values`` row) and lookups, for a target.

    ``used`` collects the slots whose lookups the SQL reads (their tables must be joined).
    """
    m = plan.mapping
    target = m.targets[index]
    spec: TableSpec = STAGED[target.table]
    force, system, kind = (
        plan.literal(plan.force),
        plan.literal(m.source_system),
        plan.literal(m.kind),
    )
    record = "source_record_id"
    cols: dict[str, str] = {}
    for slot in plan.target_fields[index]:
        cleaner = slot.spec.cleaner
        if cleaner.raw_output and f"{slot.spec.target}_raw" in spec.column_names:
            cols[f"{slot.spec.target}_raw"] = f"v.{slot.alias}"
        for column, source in cleaner.outputs(slot.spec.target).items():
            if source == RAW:
                cols[column] = f"v.{slot.alias}"
            else:
                cols[column] = _cleaned_sql(slot, source)
                if slot.lookup is not None:
                    used[slot.alias] = slot
    for column, value in target.constants.items():
        cols[column] = (
            "NULL"
            if value is None
            else sql_str(str(value).lower() if isinstance(value, bool) else str(value))
        )
    event = target.event
    if event is None:
        linked = _event_link(plan)
        event = linked[1].event if linked is not None else None
    if event is not None and "event_id" in spec.column_names:
        cols["event_id"] = plan.shared_id(
            force, sql_str(event.type), plan.key_alias(event.reference)
        )
    if target.table == "staged_event":
        assert target.event is not None
        cols["event_type"] = sql_str(target.event.type)
        cols["reference"] = f"v.{plan.key_alias(target.event.reference)}"
    if target.table == "staged_person_mention":
        cols["mention_id"] = plan.shared_id(force, system, kind, record, sql_str(target.slot or ""))
        cols["slot"] = sql_str(target.slot or "")
    elif target.slot and "mention_id" in spec.column_names:
        cols["mention_id"] = plan.shared_id(force, system, kind, record, sql_str(target.slot))
    if target.table in ("staged_object", "staged_location"):
        cols[ID_COLUMNS[target.table]] = plan.shared_id(
            force, system, kind, record, sql_str(target.label)
        )
        cols["relation"] = sql_str(target.relation) if target.relation else "NULL"
    if target.table == "staged_object":
        cols["object_type"] = sql_str(target.object_type or "")
    if target.attributes:
        cols["attributes"] = f"v.attr{index}"
    cols.update(_provenance(plan, used))
    return cols


def _provenance(plan: Plan, used: dict[str, FieldSlot]) -> dict[str, str]:
    p = plan.provenance
    for slot in p.values():
        if slot.lookup is not None:
            used[slot.alias] = slot
    grading = _cleaned_sql(p["grading"], "value") if "grading" in p else "NULL"

    def marking(key: str) -> str:
        slot = p.get(key)
        cleaner = slot.spec.cleaner if slot is not None else None
        if slot is None or not isinstance(cleaner, MarkingCleaner):
            # no marking column: the grade's handling letter, else the documented default
            value = "NULL"
            if key == "handling_code":
                value = f"substr({grading}, 3, 1)"
            return f"coalesce({value}, {sql_str(PROVENANCE_DEFAULTS[key])})"
        # fail closed: the accepted value; an empty handling code takes the grade's letter;
        # anything else the most restrictive value (rows quarantined instead never get here)
        a = f"v.{slot.alias}"
        parts = [_cleaned_sql(slot, "value")]
        if key == "handling_code" and "grading" in p:
            parts.append(f"CASE WHEN {a} IS NULL THEN substr({grading}, 3, 1) END")
        parts.append(cleaner.restricted_sql(a))
        return f"coalesce({', '.join(parts)})"

    return {
        "force": plan.literal(plan.force),
        "source_system": plan.literal(plan.mapping.source_system),
        "source_file": plan.literal(plan.source_file),
        "source_row": "v.source_row",
        "source_record_id": "v.source_record_id",
        "record_hash": "v.record_hash",
        "load_id": plan.literal(plan.load_id),
        "grading": grading,
        "handling_code": marking("handling_code"),
        "classification": marking("classification"),
    }


def insert_sql(plan: Plan, index: int) -> str:
    """INSERT the rows target ``index`` makes from the new and updated good records.

    Reads ``ingest_values`` and LEFT JOINs only the lookups this target's columns use.
    """
    target = plan.mapping.targets[index]
    spec = STAGED[target.table]
    used: dict[str, FieldSlot] = {}
    cols = _target_columns(plan, index, used)
    select = ", ".join(
        f"CAST({cols.get(c.name, 'NULL')} AS {DUCK_TYPES[c.type]}) AS {c.name}"
        for c in spec.columns
    )
    joins = " ".join(
        f"LEFT JOIN {s.lookup} ON {s.lookup}.{RAW} = v.{s.alias}" for s in used.values()
    )
    where = STAGE_ROWS
    if target.when_any:
        where += f" AND v.when{index}"
    return (
        f"INSERT INTO {plan.into}{spec.name} SELECT {select} "
        f"FROM ingest_values v {joins} WHERE {where}"
    )


def create_table_sql(spec: TableSpec) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for a table spec."""
    cols = ", ".join(f"{c.name} {DUCK_TYPES[c.type]}" for c in spec.columns)
    return f"CREATE TABLE IF NOT EXISTS {spec.name} ({cols})"


def renumber_sql() -> str:
    """Turn the CSV fast path's positions among good rows into record numbers.

    With the left-out rows' record numbers s_1 < s_2 < ... (from ``ingest_reader_faults``),
    the j-th good row is record j + max{m : s_m - m < j}; an ASOF join finds that m.
    """
    return (
        "CREATE OR REPLACE TEMP TABLE ingest_skip AS SELECT k, max(m) AS m FROM ("
        "SELECT source_row - row_number() OVER (ORDER BY source_row) AS k, "
        "row_number() OVER (ORDER BY source_row) AS m "
        "FROM (SELECT DISTINCT source_row FROM ingest_reader_faults)) GROUP BY k; "
        f"CREATE OR REPLACE TEMP TABLE {SOURCE} AS SELECT s.* REPLACE "
        "(s.source_row + coalesce(k.m, 0) AS source_row) "
        f"FROM {SOURCE} s ASOF LEFT JOIN ingest_skip k ON s.source_row > k.k "
        "ORDER BY s.source_row"
    )


BOM = "chr(65279)"  # U+FEFF, a byte order mark


def bom_rows_sql(row: str = "source_row") -> str:
    """Record numbers of rows whose first value starts with a byte order mark (a BOM in the
    middle of the file: two exports joined together)."""
    return f"SELECT {row} FROM {SOURCE} WHERE starts_with(c0, {BOM}) ORDER BY 1"


def strip_bom_sql() -> str:
    """Drop a byte order mark at the start of a row's first value (else it would make a
    record id that differs from the same record's without it: a duplicate record)."""
    return f"UPDATE {SOURCE} SET c0 = ltrim(c0, {BOM}) WHERE starts_with(c0, {BOM})"


def repeated_header_sql(columns: list[str], row: str = "source_row") -> str:
    """SELECT of the rows that repeat the header line (exports joined together)."""
    same = " AND ".join(f"trim(c{i}) = {sql_str(name)}" for i, name in enumerate(columns))
    return (
        f"SELECT {row} AS source_row, NULL AS field, left(concat_ws(',', "
        f"{', '.join(f'c{i}' for i in range(len(columns)))}), 200) AS raw_value, "
        "'repeated_header', 'the header line repeats here (exports joined together?)' "
        f"FROM {SOURCE} WHERE {same}"
    )


def has_duplicates_sql() -> str:
    """One row if some record key occurs in two rows of the file."""
    return "SELECT 1 FROM ingest_values GROUP BY record_key HAVING count(*) > 1 LIMIT 1"


def duplicates_sql(plan: Plan) -> str:
    """Add to ``ingest_faults`` every later row of a record id the file already had.

    The first row of each record id not otherwise quarantined is kept; each later one is a
    ``duplicate_record`` naming the row kept and whether its values are the same.
    """
    label = sql_str("+".join(plan.mapping.record_id))
    return (
        "INSERT INTO ingest_faults SELECT source_row, "
        f"{label}, source_record_id, 'duplicate_record', 'record id ''' || source_record_id || "
        "''' repeats row ' || first_row || CASE WHEN record_hash = first_hash "
        "THEN ' (the same values)' ELSE ' with other values (row ' || first_row || ' is kept)' "
        "END FROM (SELECT source_row, source_record_id, record_hash, "
        "first_value(source_row) OVER w AS first_row, first_value(record_hash) OVER w AS "
        "first_hash FROM ingest_values WHERE source_row NOT IN "
        "(SELECT source_row FROM ingest_faults) AND record_key IN (SELECT record_key FROM "
        "ingest_values GROUP BY record_key HAVING count(*) > 1) "
        "WINDOW w AS (PARTITION BY record_key ORDER BY source_row)) WHERE source_row > first_row"
    )
