-- Moves the version table from 7b8c9d0e0008 to 8c9d0e1f0009 behind the operator's back (as another tool would):
-- the plan approved for 7b8c9d0e0008 no longer describes what would run.
UPDATE alembic_version SET version_num = '8c9d0e1f0009';
