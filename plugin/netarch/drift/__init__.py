"""``netarch drift``: the model's network facts compared with the cluster's real configuration.

The pipeline: files -> :mod:`netarch.cluster.reader` (objects, only the kinds readers want) ->
readers (the core's in :mod:`netarch.drift.readers`, each product's in its kit) -> network facts,
each with the object, field, file and line it came from -> :mod:`netarch.drift.statements`
(facts of both sides as comparable statements) -> :mod:`netarch.drift.compare` (a verdict per
statement: agrees, contradicts, not in the configuration, not documented; and the rules that
read the configuration's facts) -> :mod:`netarch.drift.report` (human, github, markdown, json).
"""
