package io.kiki.migrations.operator.controller;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.database.DatabaseLocks;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * One database, one owner. A resource owns the database its last rollout worked on while it is
 * Ready there or rolling out. A second resource on that database may only want the same thing (same
 * targetRevision, and for head the same image); otherwise the two would take turns moving the
 * database and both say Ready, and the second is Blocked naming the owner.
 */
final class DatabaseOwnership {
  private DatabaseOwnership() {}

  /**
   * The resource that owns {@code database} and wants something else than {@code resource}, if any.
   */
  static Optional<DatabaseMigration> conflictingOwner(
      DatabaseMigration resource, String database, Collection<DatabaseMigration> known) {
    String self = DatabaseLocks.key(resource);
    return known.stream()
        .filter(other -> !DatabaseLocks.key(other).equals(self))
        .filter(other -> owns(other, database))
        .filter(other -> !agree(resource.getSpec(), other.getSpec()))
        .min(
            Comparator.comparing(
                    (DatabaseMigration o) ->
                        Objects.toString(o.getMetadata().getCreationTimestamp(), ""))
                .thenComparing(DatabaseLocks::key));
  }

  static String message(DatabaseMigration resource, DatabaseMigration owner, String database) {
    DatabaseMigrationSpec spec = owner.getSpec();
    return "database "
        + database
        + " belongs to DatabaseMigration "
        + DatabaseLocks.key(owner)
        + " (targetRevision "
        + spec.getTargetRevision()
        + ", image "
        + spec.getImage()
        + ", "
        + owner.getStatus().getPhase()
        + " at "
        + owner.getStatus().getCurrentRevision()
        + "), which wants another revision than this resource (targetRevision "
        + resource.getSpec().getTargetRevision()
        + ", image "
        + resource.getSpec().getImage()
        + "). One database has one "
        + "owner: delete one of the two, or give both the same targetRevision and image, then change spec.retryToken";
  }

  private static boolean owns(DatabaseMigration other, String database) {
    if (other.getSpec() == null
        || other.getStatus() == null
        || other.getStatus().getRollout() == null
        || other.getStatus().getPhase() == null
        || !database.equals(other.getStatus().getRollout().getDatabase())) {
      return false;
    }
    Phase phase = other.getStatus().getPhase();
    return phase == Phase.Ready || phase == Phase.Drifted || phase.isRolloutActive();
  }

  /**
   * Two specs want the same revision: the same targetRevision, and for head (whose meaning is the
   * image's) one image.
   */
  static boolean agree(DatabaseMigrationSpec a, DatabaseMigrationSpec b) {
    if (a == null || b == null || !Objects.equals(a.getTargetRevision(), b.getTargetRevision())) {
      return false;
    }
    boolean head =
        DatabaseMigrationSpec.HEAD.equals(a.getTargetRevision())
            || "heads".equals(a.getTargetRevision());
    return !head || Objects.equals(a.getImage(), b.getImage());
  }
}
