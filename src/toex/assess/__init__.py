"""Assess: the analytics that turn resolved, linked records into findings.

Each analytic is a pure core (SQL builders named ``*_sql``/``*_steps`` returning
``{"sql", "output_table_name"}`` steps, or functions on small values) and a thin runner
(``sql_steps``: the one place these modules touch a connection):

- ``config``: the configuration (``data/priority.yaml``): harm scheme, VAWG rule, RFG/RFGV
  bands and weights, safeguarding and power-few parameters;
- ``harm``: the harm weights (Cambridge Crime Harm Index or ONS Crime Severity Score, from
  :mod:`toex.model.harm`) written to the warehouse, and the VAWG classification of crimes;
- ``perpetrator_priority``: per resolved VAWG suspect, facts (victims and their ages,
  recency, escalation, fragmentation across OICs, LPCs and forces), RFG/RFGV/harm-weighted
  scores and ranks per force and region, on resolved persons and on unresolved records;
  ``reasons`` writes (and parses back) the plain-English reason;
- ``perpetrators``: the read API for the CLI, the web app and the force profile (ranked
  lists, one perpetrator, before/after resolution);
- ``safeguarding``: the safeguarding health checks and their read API;
- ``power_few``: how concentrated harm is among perpetrators (table, SVG chart);
- ``evaluate``: the findings against the synthetic ground truth (evaluation only: the
  pipeline never reads ``truth/``);
- ``stim``: the Sexual Trafficking Identification Matrix over adult-services website
  adverts (indicators, linked accounts, entity and case levels, referrals);
- ``misper_profile``, ``visor_profile``, ``warnings_person``: the missing-person and ViSOR
  force profiles and the person warnings (SQL builders over ``profile_sql``, settings in
  ``profile_config`` / ``data/profiles.yaml``), run by ``profile_stage``; ``profile_read``
  reads them back (CLI, web, the force pack), ``profile_evaluate`` checks them against truth;
- ``stage``: the pipeline stage (``run_assess_stage``) running them on a new snapshot.

Writes the ``assess_*`` tables (:mod:`toex.model.assess_tables`) and the STIM tables
(:mod:`toex.model.stim_tables`) and the profile tables (:mod:`toex.model.profile_tables`).
Methods and their sources are in ``docs/methods.md``. No
score takes nationality or ethnicity as an input.

May import ``toex.model``, ``toex.engine``, ``toex.config``, ``toex.errors`` and ``toex.ops``.
"""
