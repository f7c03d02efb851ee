"""kiki-migrate: runs an Alembic project against one database and reports the outcome as one JSON object.

The contract between the migrations image and the operator (commands, result fields, error codes and exit
codes) is documented in ``migrations-image/README.md``.
"""

__version__ = "0.1.0"
