"""Business volume per day, read from an Odoo database: what unit costs are divided by.

- `orders_confirmed`: sale orders in state sale (or done, before Odoo 17), by the
  UTC day of `date_order`, which Odoo sets to the confirmation time;
- `pickings_done`: transfers of any type in state done, by the UTC day of `date_done`;
- `invoices_posted`: customer invoices (`move_type` out_invoice, credit notes not
  included) in state posted, by `invoice_date`.

An application that is not installed (no `sale_order` table) has no signal.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from costplane.sources.postgres.model import Signal
from costplane.sources.postgres.reading import Reader

SIGNAL_QUERIES = {
    "orders_confirmed": (
        "sale_order",
        "SELECT date_order::date, count(*) FROM sale_order "
        "WHERE state IN ('sale', 'done') AND date_order >= %s GROUP BY 1",
    ),
    "pickings_done": (
        "stock_picking",
        "SELECT date_done::date, count(*) FROM stock_picking "
        "WHERE state = 'done' AND date_done >= %s GROUP BY 1",
    ),
    "invoices_posted": (
        "account_move",
        "SELECT invoice_date, count(*) FROM account_move "
        "WHERE state = 'posted' AND move_type = 'out_invoice' AND invoice_date >= %s GROUP BY 1",
    ),
}


def read_signals(reader: Reader, since: dt.date) -> list[Signal]:
    """Counts per day from the first of `since`'s month on, for each signal whose table
    exists.

    Each month is one load that replaces the month, so a month is read whole; and when
    one signal cannot be read (reported missing), none is returned, so the months
    loaded before keep every signal instead of being replaced by a partial month.
    """
    since = since.replace(day=1)
    signals: list[Signal] = []
    for signal, (table, query) in SIGNAL_QUERIES.items():
        if reader.value("SELECT to_regclass(%s) IS NOT NULL", [f"public.{table}"]) is not True:
            continue
        rows = reader.attempt(f"{signal} ({table})", partial(reader.rows, query, [since]))
        if rows is None:
            return []
        signals += [Signal(day, signal, int(n)) for day, n in rows if day is not None]
    return sorted(signals, key=lambda s: (s.day, s.signal))
