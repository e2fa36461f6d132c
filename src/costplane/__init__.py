"""Costplane: what every Odoo tenant really costs, and what it is entitled to."""

__version__ = "0.1.0"
