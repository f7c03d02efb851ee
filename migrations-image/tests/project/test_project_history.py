"""The revision graph itself: one head, a real branch and merge, fixed ids, self-contained scripts, and
exactly one irreversible step (the data migration), placed after the merge near the top."""

import ast
import re
from pathlib import Path

from alembic.script import ScriptDirectory
from kiki_alembic_project import (
    DATA_MIGRATION,
    HEAD,
    MERGE,
    alembic_config,
    body_is_only_pass,
    revisions_base_to_head,
)

SCRIPT = ScriptDirectory.from_config(alembic_config())
REVISIONS = revisions_base_to_head()


def test_history_has_a_single_head_and_at_least_six_revisions():
    assert SCRIPT.get_heads() == [HEAD]
    assert len(REVISIONS) >= 6
    assert [r.revision for r in REVISIONS if r.down_revision is None] == ["1a2b3c4d0001"]


def test_graph_branches_from_one_parent_and_merges_again():
    merges = [r for r in REVISIONS if r.is_merge_point]
    assert [m.revision for m in merges] == [MERGE]
    parents = [SCRIPT.get_revision(rev) for rev in merges[0].down_revision]
    assert len(parents) == 2
    assert {p.down_revision for p in parents} == {"4d5e6f7a0004"}
    assert SCRIPT.get_revision("4d5e6f7a0004").is_branch_point


def test_revision_ids_are_fixed_12_hex_and_name_their_files():
    for revision in REVISIONS:
        assert re.fullmatch(r"[0-9a-f]{12}", revision.revision), revision.revision
        assert Path(revision.path).name.startswith(revision.revision + "_")


def test_only_the_data_migration_has_a_no_op_downgrade():
    """kiki-migrate flags a step irreversible when downgrade() is only `pass`; the merge does nothing both ways."""
    no_op_downgrades = {
        r.revision
        for r in REVISIONS
        if body_is_only_pass(r.path, "downgrade") and not body_is_only_pass(r.path, "upgrade")
    }
    assert no_op_downgrades == {DATA_MIGRATION}
    merge = SCRIPT.get_revision(MERGE)
    assert body_is_only_pass(merge.path, "upgrade") and body_is_only_pass(merge.path, "downgrade")


def test_data_migration_comes_after_the_merge_and_below_the_head():
    order = [r.revision for r in REVISIONS]
    assert order.index(MERGE) < order.index(DATA_MIGRATION) < order.index(HEAD)
    assert order.index(HEAD) - order.index(DATA_MIGRATION) <= 2


def test_scripts_import_no_application_models():
    for revision in REVISIONS:
        tree = ast.parse(Path(revision.path).read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
        assert imported <= {"alembic", "sqlalchemy"}, (revision.revision, imported)


def test_each_seed_common_task_is_a_revision():
    sources = {r.revision: Path(r.path).read_text() for r in REVISIONS}
    assert (
        'op.create_index("idx_campaign_user_id", "campaign_deployments", ["user_id"])'
        in sources["5e6f7a8b0005"]
    )
    assert (
        'sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false())'
        in sources["7b8c9d0e0008"]
    )
    assert "SET assets_source = 'GENERATED'" in sources[DATA_MIGRATION]
    assert "op.rename_table(OLD_NAME, NEW_NAME)" in sources["4d5e6f7a0004"]
    assert "op.rename_table(NEW_NAME, OLD_NAME)" in sources["4d5e6f7a0004"]
