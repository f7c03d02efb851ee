package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * manifests/samples: a DatabaseMigration the CRD accepts, with the Secret, PVC and ServiceAccount
 * it names.
 */
class SamplesTest {

  /** The spec fields the operator implements in this release; the sample shows each of them. */
  private static final List<String> IMPLEMENTED_SPEC_FIELDS =
      List.of(
          "image",
          "targetRevision",
          "database",
          "backup",
          "verify",
          "rollback",
          "allowDowngrade",
          "lint",
          "approval",
          "rehearsal",
          "driftPolicy",
          "driftCheckInterval",
          "retryToken",
          "timeouts",
          "suspend",
          "successfulJobsHistoryLimit",
          "failedJobsHistoryLimit",
          "jobTemplate");

  private final Install samples = Kustomize.build(Paths.MANIFESTS.resolve("samples"));

  @Test
  void everyObjectLivesInTheSampleNamespace() {
    assertThat(samples.find(Namespace.class, "kiki")).isPresent();
    for (HasMetadata object : samples.objects()) {
      if (!(object instanceof Namespace)) {
        assertThat(object.getMetadata().getNamespace()).as(object.getKind()).isEqualTo("kiki");
      }
    }
  }

  @Test
  void databaseMigrationShowsExactlyTheImplementedSpecFields() {
    Map<String, Object> spec = spec();
    assertThat(spec)
        .containsOnlyKeys(IMPLEMENTED_SPEC_FIELDS)
        // maintenanceWindow is in the sample as a comment: applied, it would hold the sample's
        // rollout
        .doesNotContainKeys("maintenanceWindow");
    List<Map<String, Object>> checks = list(map(spec.get("verify")).get("checks"));
    assertThat(checks)
        .as("one check of each kind")
        .anySatisfy(check -> assertThat(check).containsKey("sql"))
        .anySatisfy(check -> assertThat(check).containsKey("http"))
        .anySatisfy(check -> assertThat(check).containsKey("deployment"));
  }

  @Test
  void databaseMigrationShowsEveryTimeout() {
    assertThat(map(spec().get("timeouts")))
        .containsOnlyKeys(CrdSchema.load("v1alpha1").properties("spec.timeouts"));
  }

  @Test
  void databaseMigrationIsValidAgainstTheCrdSchema() {
    GenericKubernetesResource migration = migration();
    assertThat(migration.getApiVersion()).isEqualTo("migrations.kiki.io/v1alpha1");
    Map<String, Object> object = new HashMap<>(migration.getAdditionalProperties());
    assertThat(CrdSchema.load("v1alpha1").violations(object)).isEmpty();
  }

  @Test
  void crdSchemaCheckRefusesWhatTheApiServerWould() {
    Map<String, Object> broken =
        Serialization.unmarshal(
            """
        spec:
          image: registry.example.com/kiki/migrations:1.6.0
          canary: {percent: 10}
          backup: {keep: 0}
          rollback: {onFailure: Sometimes}
        """,
            Map.class);
    assertThat(CrdSchema.load("v1alpha1").violations(broken))
        .contains(
            "spec.canary: unknown field",
            "spec.backup.keep: below the minimum 1",
            "spec.rollback.onFailure: Sometimes is not one of [Downgrade, DowngradeThenRestore, None, Restore]",
            "spec.database: required");
  }

  @Test
  void everythingTheDatabaseMigrationNamesIsInTheSamples() {
    Map<String, Object> spec = spec();
    Map<String, Object> urlSecretRef = map(map(spec.get("database")).get("urlSecretRef"));
    Secret secret = samples.get(Secret.class, (String) urlSecretRef.get("name"));
    Map<String, String> keys = new HashMap<>();
    if (secret.getData() != null) {
      keys.putAll(secret.getData());
    }
    if (secret.getStringData() != null) {
      keys.putAll(secret.getStringData());
    }
    assertThat(keys).containsKey((String) urlSecretRef.get("key"));

    Map<String, Object> backup = map(spec.get("backup"));
    assertThat(backup).containsEntry("enabled", true);
    samples.get(PersistentVolumeClaim.class, (String) backup.get("persistentVolumeClaim"));

    ServiceAccount jobAccount =
        samples.get(
            ServiceAccount.class, (String) map(spec.get("jobTemplate")).get("serviceAccountName"));
    assertThat(jobAccount.getAutomountServiceAccountToken())
        .as("migration Jobs need no API token")
        .isFalse();
  }

  private GenericKubernetesResource migration() {
    List<GenericKubernetesResource> migrations = samples.all("DatabaseMigration");
    assertThat(migrations).hasSize(1);
    return migrations.get(0);
  }

  private Map<String, Object> spec() {
    return map(migration().getAdditionalProperties().get("spec"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    assertThat(value).isInstanceOf(Map.class);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    assertThat(value).isInstanceOf(List.class);
    return (List<Map<String, Object>>) value;
  }
}
