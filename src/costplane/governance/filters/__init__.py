"""Filters: what a policy says is wrong with a resource, parsed, type-checked and compiled.

`spec.py` is what every filter type is (`FilterSpec`, `ResourceFilter`), `registry.py`
the filter types by name (`value`, `fact`, plug-ins), `parse.py` how a policy's
`filters:` list becomes them. The built-in types: `value_filter` (a key of the object),
`fact_filter` (a named fact), `boolean` (and/or/not). What they compare with:
`operators`, `operands`, `comparing`, `value_types`, `durations`, `text_pattern`,
`aggregates` (sums and counts over a key's elements).
"""
