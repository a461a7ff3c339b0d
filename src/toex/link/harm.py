"""Harm weights for network profiles, from the model's harm tables.

A network's total harm is the sum, over the distinct crimes its members are suspects on, of
the offence's harm in days of custody: the Cambridge Crime Harm Index style table by default
(``toex.model.harm``, scheme ``cchi``), or the ONS Crime Severity Score style one
(``harm_scheme: ons_css``). An offence code the table lacks weighs ``harm_default_days``.
"""

from __future__ import annotations

from toex.errors import ConfigError
from toex.link.config import LinkConfig
from toex.model.harm import harm_table


def harm_days(config: LinkConfig) -> dict[str, float]:
    """Days of harm per Home Office offence code under the configured scheme."""
    try:
        table = harm_table(config.harm_scheme)
    except ValueError as exc:
        raise ConfigError(f"link config: {exc}") from exc
    return {code: weight.days for code, weight in table.items()}
