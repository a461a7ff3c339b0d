"""Person resolution: the Splink person model, clusters, stable IDs, analyst decisions,
explanations and evaluation.

Holds the pure builders (comparisons, blocking rules, feature and SQL expressions) and the
thin edges that run them on a warehouse connection: ``model`` (train/predict),
``clusters``, ``stable_ids``, ``objects``, ``persons``, ``explain``, ``evaluate`` and
``stage`` (the pipeline stage). May import ``toex.model``, ``toex.engine``,
``toex.config``, ``toex.errors`` and ``toex.ops`` only.
"""
