"""Tests of the synthetic fleet generator (`costplane_fleet`).

A package, like its siblings under `tests/`, so its modules import under unique
names (`tests.fleet.test_fleet_files`); shared fleets and helpers are fixtures in
`conftest.py`, and no test module imports from another.
"""
