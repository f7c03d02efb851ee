package io.kiki.migrations.e2e.support;

/**
 * Revisions of the KIKI project (migrations-image/alembic/versions) that scenarios start from or
 * aim at.
 */
public final class KikiRevisions {

  /** add campaign_deployments.archived (reversible) */
  public static final String ARCHIVED = "7b8c9d0e0008";

  /** backfill assets_source = 'GENERATED' (data migration, downgrade is a no-op: irreversible) */
  public static final String BACKFILL = "8c9d0e1f0009";

  /** add campaign_deployments.completed_at (reversible); the head */
  public static final String HEAD = "9d0e1f2a0010";

  private KikiRevisions() {}
}
