"""Savings: what a finding costs a month, computed by the policy's own arithmetic.

`formula.py` is a policy's `savings:` (`Savings`), `expression.py` the small
arithmetic its `monthly` is written in, `prices.py` the prices it reads (the
catalog's price sheet), `prices_allocation.py` the prices the allocation paid.
"""
