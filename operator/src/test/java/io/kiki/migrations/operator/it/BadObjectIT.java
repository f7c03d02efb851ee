package io.kiki.migrations.operator.it;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.status.Reasons;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One bad object never stops the operator: objects stored as a newer CRD (or a server that does not
 * validate) lets them through, sent raw as `kubectl apply` would. The mock server validates
 * nothing, so this is the server that keeps such objects.
 */
class BadObjectIT extends MockClusterTestBase {

  @Test
  void unknownEnumValueBlocksOnlyThatResourceAndTheOperatorStartsWithItStored() throws Exception {
    operator.close();
    createRaw("unknown-enum-value.yaml", "restore-everything");
    operator = newOperator();
    operator.start();

    createRaw("unknown-enum-value.yaml", "restore-everything-2");
    create(fixture("basic.yaml"));

    DatabaseMigration good = awaitPhase("kiki-campaigns", Phase.Ready);
    assertThat(good.getStatus().getCurrentRevision()).isEqualTo("c3");
    for (String name : new String[] {"restore-everything", "restore-everything-2"}) {
      DatabaseMigration bad = awaitPhase(name, Phase.Blocked);
      assertCondition(bad, "Stalled", "True", Reasons.INVALID_SPEC, 1);
      assertThat(bad.getStatus().getMessage())
          .isEqualTo(
              "invalid spec: spec.rollback.onFailure: Unsupported value "
                  + "\"RestoreEverything\": supported values: Downgrade, Restore, DowngradeThenRestore, None");
      assertThat(eventReasons(name)).contains(Reasons.INVALID_SPEC);
      // Nothing of what the user wrote is lost by the operator's status writes.
      Map<String, Object> spec = raw(name).get("spec");
      assertThat(spec)
          .containsEntry("rollback", Map.of("onFailure", "RestoreEverything"))
          .containsEntry("image", "kiki/migrations:2");
    }
    assertThat(jobsInApi()).noneMatch(job -> job.startsWith("restore-everything"));
  }

  @Test
  void unknownFieldsAreIgnored() throws Exception {
    createRaw("unknown-field.yaml", "newer-fields");
    DatabaseMigration ready = awaitPhase("newer-fields", Phase.Ready);
    assertThat(ready.getStatus().getCurrentRevision()).isEqualTo("c3");
    assertThat(raw("newer-fields").get("spec"))
        .containsEntry("canary", java.util.Map.of("percent", 10));
  }

  private void createRaw(String file, String name) throws Exception {
    try (InputStream in = getClass().getResourceAsStream(file)) {
      GenericKubernetesResource resource =
          client.getKubernetesSerialization().unmarshal(in, GenericKubernetesResource.class);
      resource.getMetadata().setName(name);
      resource.getMetadata().setNamespace(namespace);
      client
          .genericKubernetesResources(
              DatabaseMigration.GROUP + "/" + DatabaseMigration.VERSION, "DatabaseMigration")
          .inNamespace(namespace)
          .resource(resource)
          .create();
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Map<String, Object>> raw(String name) {
    GenericKubernetesResource resource =
        client
            .genericKubernetesResources(
                DatabaseMigration.GROUP + "/" + DatabaseMigration.VERSION, "DatabaseMigration")
            .inNamespace(namespace)
            .withName(name)
            .get();
    return (Map<String, Map<String, Object>>) (Map<String, ?>) resource.getAdditionalProperties();
  }
}
