package io.kiki.migrations.operator.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.api.v1alpha1.Rollout;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseLocksTest {
  static final String DB = "db:5432/kiki";
  final Instant now = Instant.parse("2026-11-24T05:00:00Z");

  @Test
  void secondResourceWaitsForTheFirstUntilReleased() {
    DatabaseLocks locks = new DatabaseLocks(Duration.ofMinutes(1));
    List<DatabaseMigration> known = List.of(resource("a", null), resource("b", null));
    assertThat(locks.tryAcquire(DB, "ns/a", known, now)).isEmpty();
    assertThat(locks.tryAcquire(DB, "ns/b", known, now)).contains("ns/a");
    assertThat(locks.tryAcquire(DB, "ns/a", known, now)).as("re-entrant").isEmpty();
    assertThat(locks.tryAcquire("other:5432/db", "ns/b", known, now))
        .as("another database")
        .isEmpty();
    locks.release(DB, "ns/a");
    assertThat(locks.tryAcquire(DB, "ns/b", known, now)).isEmpty();
  }

  @Test
  void holderComesFromStatusesAfterARestart() {
    DatabaseLocks restarted = new DatabaseLocks(Duration.ofMinutes(1));
    List<DatabaseMigration> known = List.of(resource("a", Phase.Migrating), resource("b", null));
    assertThat(restarted.tryAcquire(DB, "ns/b", known, now)).contains("ns/a");
    List<DatabaseMigration> finished = List.of(resource("a", Phase.Ready), resource("b", null));
    assertThat(restarted.tryAcquire(DB, "ns/b", finished, now)).isEmpty();
  }

  @Test
  void staleClaimsOfDeletedOrSilentResourcesExpire() {
    DatabaseLocks locks = new DatabaseLocks(Duration.ofMinutes(1));
    locks.tryAcquire(DB, "ns/a", List.of(resource("a", null)), now);
    assertThat(locks.tryAcquire(DB, "ns/b", List.of(resource("b", null)), now))
        .as("a was deleted")
        .isEmpty();
    DatabaseLocks other = new DatabaseLocks(Duration.ofMinutes(1));
    List<DatabaseMigration> known = List.of(resource("a", null), resource("b", null));
    other.tryAcquire(DB, "ns/a", known, now);
    assertThat(other.tryAcquire(DB, "ns/b", known, now.plusSeconds(61))).isEmpty();
  }

  static DatabaseMigration resource(String name, Phase phase) {
    DatabaseMigration resource = new DatabaseMigration();
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").build());
    if (phase != null) {
      DatabaseMigrationStatus status = new DatabaseMigrationStatus();
      status.setPhase(phase);
      Rollout rollout = new Rollout();
      rollout.setDatabase(DB);
      status.setRollout(rollout);
      resource.setStatus(status);
    }
    return resource;
  }
}
