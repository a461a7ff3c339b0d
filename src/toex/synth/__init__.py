"""Synthetic multi-force data with ground truth: ``toex synth``.

Generates, for the 9 forces of the catalogue, each force's exports in its own record system's
format (``data/formats.yaml``), the partner adult-services website's data, the regional
operations list, and ``truth/`` (the true person behind every mention, planted scenarios and
their findings, expected quarantines). Every rate it draws from is in ``data/rates.yaml``.

Entry points: :func:`generate` writes a data set; :func:`compute_stats` measures one.
May import only ``toex.model``, ``toex.config`` and ``toex.errors``.
"""

from toex.synth.generate import generate
from toex.synth.rates import SCALES, load_rates

__all__ = ["SCALES", "generate", "load_rates"]
