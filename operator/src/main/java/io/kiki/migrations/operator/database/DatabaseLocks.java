package io.kiki.migrations.operator.database;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One rollout per database across resources. Ownership comes from the resources' statuses (an
 * active rollout records its database), so it survives a restart; claims made in this process cover
 * the moment between taking the database and the informer cache showing the holder's new status.
 */
public class DatabaseLocks {
  private record Claim(String holder, Instant at) {}

  private final Map<String, Claim> claims = new HashMap<>();
  private final Duration claimTtl;

  public DatabaseLocks(Duration claimTtl) {
    this.claimTtl = claimTtl;
  }

  public static String key(DatabaseMigration resource) {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }

  /**
   * Takes the database for {@code owner}; returns the resource ("namespace/name") that holds it
   * otherwise.
   */
  public synchronized Optional<String> tryAcquire(
      String database, String owner, Collection<DatabaseMigration> known, Instant now) {
    Optional<String> statusHolder =
        known.stream()
            .filter(r -> !key(r).equals(owner))
            .filter(r -> holds(r, database))
            .map(DatabaseLocks::key)
            .sorted()
            .findFirst();
    if (statusHolder.isPresent()) {
      return statusHolder;
    }
    Claim claim = claims.get(database);
    boolean holderExists =
        claim != null && known.stream().anyMatch(r -> key(r).equals(claim.holder()));
    if (claim != null
        && !claim.holder().equals(owner)
        && holderExists
        && Duration.between(claim.at(), now).compareTo(claimTtl) < 0) {
      return Optional.of(claim.holder());
    }
    claims.put(database, new Claim(owner, now));
    return Optional.empty();
  }

  public synchronized void release(String database, String owner) {
    if (database != null) {
      claims.computeIfPresent(database, (k, claim) -> claim.holder().equals(owner) ? null : claim);
    }
  }

  /** A rollout holding before its next stage keeps its database (it goes on there). */
  private static boolean held(DatabaseMigrationStatus status) {
    return status.getRollout() != null && status.getRollout().getHeldBy() != null;
  }

  static boolean holds(DatabaseMigration resource, String database) {
    DatabaseMigrationStatus status = resource.getStatus();
    return status != null
        && status.getPhase() != null
        && (status.getPhase().isRolloutActive() || held(status))
        && status.getRollout() != null
        && Objects.equals(status.getRollout().getDatabase(), database);
  }
}
