"""Tables of the ``link`` layer written by toex.link."""

from __future__ import annotations

from toex.model.tables import Column, TableSpec, spec

_PAIR = (
    Column("person_a", "string", "Resolved person ID; the smaller of the pair.", False),
    Column("person_b", "string", "Resolved person ID; the larger of the pair.", False),
    Column(
        "edge_type",
        "string",
        "co_offending, victim_offender, intel_associate, "
        "shared_phone, shared_email, shared_address, shared_vehicle, shared_account or "
        "shared_payer.",
        False,
    ),
)
_PROVENANCE = (
    Column("force", "string", "Force (or partner) that holds the record.", False),
    Column("source_file", "string", "File the record was read from.", False),
    Column("source_row", "int64", "Record number in that file.", False),
    Column("source_record_id", "string", "The source's own reference for the record."),
    Column("handling_code", "string", "Handling code of the record (P or C)."),
    Column("classification", "string", "Security classification of the record."),
)

LINK_EDGE = spec(
    "link_edge",
    "link",
    "Edges between resolved persons: one row per pair and edge type, with weight, dates and "
    "the records that make it. Weight = sum over evidence units (events or shared objects) of "
    "base weight x 2^(-age/half-life) x hub factor (docs/link.md).",
    *_PAIR,
    Column(
        "weight", "float64", "Edge weight (type, count and recency; hubs down-weighted).", False
    ),
    Column("first_date", "date", "Earliest date of the records behind the edge."),
    Column("last_date", "date", "Latest date of the records behind the edge."),
    Column("n_records", "int64", "Distinct source records behind the edge.", False),
    Column("n_units", "int64", "Evidence units: distinct events or shared objects.", False),
    Column(
        "hub_only",
        "boolean",
        "Every unit is a hub object: kept, but not used to form networks.",
        False,
    ),
    Column("event_ids", "array<string>", "Events behind the edge."),
    Column("object_values", "array<string>", "Shared object values (phones, addresses...)."),
    Column("forces", "array<string>", "Forces holding the records behind the edge."),
    Column("handling_codes", "array<string>", "Handling codes of those records."),
    Column("classification", "string", "Highest classification among those records.", False),
    provenance=False,
)

LINK_EDGE_EVIDENCE = spec(
    "link_edge_evidence",
    "link",
    "One row per source record behind an edge: the person it names, its event or object, and "
    "its provenance (so access rules can be applied record by record).",
    *_PAIR,
    Column("unit_key", "string", "Evidence unit: 'event:<id>' or '<object_type>:<key>'.", False),
    Column("hub", "boolean", "The unit is a hub object.", False),
    Column("hub_factor", "float64", "Down-weighting of the unit (1 unless a hub).", False),
    Column("person_id", "string", "Which of the pair this record names.", False),
    Column("mention_id", "string", "The person mention (null for an advert's objects)."),
    Column("event_id", "string", "The event of the record."),
    Column("event_type", "string", "Its event type."),
    Column("role", "string", "The person's role on the event."),
    Column("event_date", "date", "Date of the event."),
    Column("object_type", "string", "Shared object's type (object edges)."),
    Column("object_value", "string", "Shared object's value as normalised (object edges)."),
    *_PROVENANCE,
    provenance=False,
)

LINK_HUB = spec(
    "link_hub",
    "link",
    "Hub objects: phones, emails, addresses, vehicles, accounts or payers shared by more "
    "persons than their type's threshold, or known placeholder values. Their links are "
    "down-weighted and never form networks.",
    Column("object_type", "string", "phone, email, address, vehicle, account or payer.", False),
    Column("object_key", "string", "Normalised key of the object.", False),
    Column("example_value", "string", "One value as recorded."),
    Column("n_persons", "int64", "Distinct resolved persons seen with it.", False),
    Column("n_records", "int64", "Distinct source records naming it.", False),
    Column("n_forces", "int64", "Forces holding those records.", False),
    Column("forces", "array<string>", "Those forces."),
    Column("first_date", "date", "Earliest record date."),
    Column("last_date", "date", "Latest record date."),
    Column("is_placeholder", "boolean", "A known placeholder value.", False),
    Column("threshold", "int64", "Persons above which the object type is a hub.", False),
    Column("hub_factor", "float64", "Factor on the weight of its links.", False),
    Column("pairs_emitted", "boolean", "Whether pairwise (hub-only) edges were written.", False),
    Column("reason", "string", "Why it is a hub, in words.", False),
    provenance=False,
)

LINK_HUB_MEMBER = spec(
    "link_hub_member",
    "link",
    "Each person seen with a hub object.",
    Column("object_type", "string", "Hub object type.", False),
    Column("object_key", "string", "Hub object key.", False),
    Column("person_id", "string", "Resolved person.", False),
    Column("n_records", "int64", "Records naming the person with it.", False),
    Column("forces", "array<string>", "Forces holding those records."),
    Column("first_date", "date", "Earliest record date."),
    Column("last_date", "date", "Latest record date."),
    provenance=False,
)

LINK_CENTRALITY = spec(
    "link_centrality",
    "link",
    "Centrality of every linked person within its component, and its score and rank in its "
    "component and its community.",
    Column("person_id", "string", "Resolved person.", False),
    Column("component_id", "string", "Network ID of its connected component.", False),
    Column("community_id", "string", "Network ID of its Leiden community.", False),
    Column("degree", "int64", "Distinct linked persons.", False),
    Column("strength", "float64", "Sum of its edge weights.", False),
    Column(
        "betweenness", "float64", "Betweenness (unweighted; estimated on large components).", False
    ),
    Column("betweenness_exact", "boolean", "Betweenness is exact, not sampled.", False),
    Column(
        "eigenvector",
        "float64",
        "Weighted eigenvector centrality, 1 for the component's most central person.",
        False,
    ),
    Column(
        "score_component",
        "float64",
        "Mean of degree, betweenness and eigenvector, each scaled to the component's maximum.",
        False,
    ),
    Column("rank_component", "int64", "Rank by score in the component (1 = principal).", False),
    Column(
        "score_community",
        "float64",
        "The same measures counting only the edges inside its community, each scaled to the "
        "community's maximum.",
        False,
    ),
    Column("rank_community", "int64", "Rank by score in the community.", False),
    provenance=False,
)

LINK_NETWORK = spec(
    "link_network",
    "link",
    "Networks: connected components (IDs 'N...') and Leiden communities (IDs 'M...') of the "
    "person graph, with forces, regions, geographic scale, offences, harm, activity and "
    "principal individuals. IDs persist across runs while the network overlaps.",
    Column("network_id", "string", "Stable network ID.", False),
    Column("level", "string", "component or community.", False),
    Column("parent_network_id", "string", "A community's component."),
    Column("n_members", "int64", "Persons in the network.", False),
    Column("n_edges", "int64", "Linked pairs inside the network.", False),
    Column("forces", "array<string>", "Forces holding the records that link its members."),
    Column("n_forces", "int64", "How many.", False),
    Column("regions", "array<string>", "Regions of those forces."),
    Column("n_regions", "int64", "How many.", False),
    Column("international", "boolean", "An overseas identifier links two members.", False),
    Column("international_evidence", "array<string>", "The overseas identifiers."),
    Column(
        "geographic_scale",
        "string",
        "force, multi_force_within_region, multi_force_outside_region or international.",
        False,
    ),
    Column("member_forces", "array<string>", "Every force holding any record of a member."),
    Column("offence_codes", "array<string>", "Offence codes of crimes with a member suspect."),
    Column("n_crimes", "int64", "Those crimes.", False),
    Column("total_harm", "float64", "Sum of their harm (days, CCHI by default).", False),
    Column("first_activity", "date", "Earliest event of a member."),
    Column("last_activity", "date", "Latest event of a member."),
    Column("principal_person_ids", "array<string>", "Top members by centrality score."),
    provenance=False,
)

LINK_NETWORK_MEMBER = spec(
    "link_network_member",
    "link",
    "Members of each network with their centrality rank in it.",
    Column("network_id", "string", "Network ID.", False),
    Column("level", "string", "component or community.", False),
    Column("person_id", "string", "Resolved person.", False),
    Column("rank", "int64", "Rank by centrality score (1 = principal).", False),
    Column("score", "float64", "Centrality score within the network.", False),
    provenance=False,
)

LINK_CROSSFORCE = spec(
    "link_crossforce",
    "link",
    "Cross-force report: networks, persons and links whose records span two or more forces, "
    "and whether each is new or extended since the previous run.",
    Column("kind", "string", "network, person or link.", False),
    Column("id", "string", "Network ID, person ID, or 'person_a|person_b'.", False),
    Column("level", "string", "Network level (networks only)."),
    Column("person_a", "string", "Links: first person."),
    Column("person_b", "string", "Links: second person."),
    Column("edge_types", "array<string>", "Links: their edge types."),
    Column("n_members", "int64", "Persons involved.", False),
    Column("forces", "array<string>", "Forces spanned."),
    Column("n_forces", "int64", "How many.", False),
    Column("regions", "array<string>", "Regions spanned."),
    Column("n_regions", "int64", "How many.", False),
    Column("geographic_scale", "string", "Geographic scale category.", False),
    Column("first_date", "date", "Earliest record date."),
    Column("last_date", "date", "Latest record date."),
    Column("principal_person_ids", "array<string>", "Networks: principal individuals."),
    Column("status", "string", "new, extended or unchanged since the previous run.", False),
    Column("new_forces", "array<string>", "Forces not seen in the previous run."),
    provenance=False,
)

TABLE_SPECS: tuple[TableSpec, ...] = (
    LINK_EDGE,
    LINK_EDGE_EVIDENCE,
    LINK_HUB,
    LINK_HUB_MEMBER,
    LINK_NETWORK,
    LINK_NETWORK_MEMBER,
    LINK_CENTRALITY,
    LINK_CROSSFORCE,
)
