package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Declares the Alembic revision a database must be at; the operator plans, backs up, migrates, verifies
 * and, when verification fails, rolls back, and reports what it did in the status.
 */
@Group(DatabaseMigration.GROUP)
@Version(DatabaseMigration.VERSION)
@ShortNames("dbm")
@AdditionalPrinterColumn(name = "Target", jsonPath = ".spec.targetRevision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Current", jsonPath = ".status.currentRevision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@JsonDeserialize(using = SpecDecoding.TolerantDeserializer.class)
public class DatabaseMigration extends CustomResource<DatabaseMigrationSpec, DatabaseMigrationStatus> implements Namespaced {
  public static final String GROUP = "migrations.kiki.io";
  public static final String VERSION = "v1alpha1";

  /** Why the stored spec could not be read (spec is then null), see {@link SpecDecoding}; null when it could. */
  @JsonIgnore
  private String specProblem;

  @JsonIgnore
  public String getSpecProblem() { return specProblem; }
  @JsonIgnore
  public void setSpecProblem(String specProblem) { this.specProblem = specProblem; }
}
