"""The inventory: the resources policies run over, and how their fields are read.

`resources.py` holds the `Inventory` and each resource's identity (`ResourceRef`);
`paths.py` parses a policy's keys, `columns.py` reads a key over many resources at
once, from documents held as JSON text (`json_texts.py`) or as the warehouse's
columns (`object_columns.py`).
"""
