"""The price sheet the hand-built test catalogs share, as catalog YAML.

Tests that compute money by hand use these prices; keeping one copy means a
change to the price sheet's shape is made once.
"""

PRICE_SHEET = """\
price_sheet:
  cpu: {amount: "0.03", unit: core-hour}
  memory: {amount: "0.004", unit: GiB-hour}
  storage: {standard: {amount: "0.10", unit: GiB-month}}
  database_storage: {amount: "0.20", unit: GiB-month}
  snapshot: {amount: "0.05", unit: GiB-month}
  object_storage: {amount: "0.02", unit: GiB-month}
  log_ingest: {amount: "0.50", unit: GiB}
  log_retention: {amount: "0.03", unit: GiB-month}
  backup: {amount: "0.02", unit: GiB-month}
  load_balancer: {amount: "0.025", unit: hour}
  egress: {amount: "0.09", unit: GiB}
"""
