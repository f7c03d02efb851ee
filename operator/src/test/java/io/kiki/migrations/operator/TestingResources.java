package io.kiki.migrations.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.DatabaseSpec;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.api.v1alpha1.SecretKeyRef;
import io.kiki.migrations.operator.stage.RolloutContext;
import java.time.Instant;

/** Small DatabaseMigration objects for unit tests. */
public final class TestingResources {
  private TestingResources() {}

  public static DatabaseMigration resource() {
    DatabaseMigration resource = new DatabaseMigration();
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName("kiki-campaigns")
            .withNamespace("kiki")
            .withUid("uid-1")
            .withGeneration(3L)
            .build());
    DatabaseMigrationSpec spec = new DatabaseMigrationSpec();
    spec.setImage("kiki/migrations:2");
    DatabaseSpec database = new DatabaseSpec();
    database.setUrlSecretRef(new SecretKeyRef("kiki-db", "KIKI_DATABASE_URL"));
    spec.setDatabase(database);
    resource.setSpec(spec);
    return resource;
  }

  /** A rollout context in the given stage, from revision {@code from}. */
  public static RolloutContext context(
      DatabaseMigration resource, RolloutStage stage, String from) {
    DatabaseMigrationStatus status = new DatabaseMigrationStatus();
    Rollout rollout = new Rollout();
    rollout.setId("3");
    rollout.setGeneration(3L);
    rollout.setStage(stage);
    rollout.setFrom(from);
    rollout.setImage(resource.getSpec().getImage());
    rollout.setRequestedImage(resource.getSpec().getImage());
    status.setRollout(rollout);
    status.setCurrentRevision(from);
    return new RolloutContext(resource, status, null, Instant.parse("2026-11-24T05:00:00Z"));
  }
}
