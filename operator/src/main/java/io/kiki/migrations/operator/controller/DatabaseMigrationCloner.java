package io.kiki.migrations.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;

/**
 * JOSDK's cloner (a JSON round trip: reconcile gets a copy of the cached resource) that keeps why a
 * stored spec could not be read ({@link DatabaseMigration#getSpecProblem()}, not part of the JSON),
 * so the resource is Blocked naming the field instead of "spec is missing".
 */
public final class DatabaseMigrationCloner implements Cloner {
  private final KubernetesSerialization serialization;

  public DatabaseMigrationCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    R copy = serialization.clone(object);
    if (object instanceof DatabaseMigration original && copy instanceof DatabaseMigration cloned) {
      cloned.setSpecProblem(original.getSpecProblem());
    }
    return copy;
  }
}
