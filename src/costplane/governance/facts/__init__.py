"""Facts: named values about resources that policies read, and the providers that answer them.

`fact.py` is the interface (a `FactDefinition`, a `FactRequest`, the `Facts` protocol),
`provider.py` the base every built-in provider shares, `catalogue.py` the list of
providers and so of every fact a policy may name. One module per family of facts:
`usage`, `services`, `cost`, `backups`, `databases`, `caches` (the warehouse, combined
in `warehouse`), `catalog` (entitlements), `ownership`, `inventory` (relations between
objects) and `memory` (values set by hand, for tests).
"""
