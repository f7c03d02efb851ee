package io.kiki.migrations.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/**
 * A stored object this version cannot fully read never makes decoding fail (the informer would
 * stop).
 */
class SpecDecodingTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static String yaml(String specLines) {
    return """
        apiVersion: migrations.kiki.io/v1alpha1
        kind: DatabaseMigration
        metadata: {name: campaigns, namespace: kiki}
        spec:
          image: kiki/migrations:1
          database: {urlSecretRef: {name: db, key: URL}}
        """
        + specLines;
  }

  @Test
  void unknownFieldsAreIgnored() {
    DatabaseMigration resource =
        SERIALIZATION.unmarshal(
            yaml("  approval: Manual\n  verify: {soak: 3m}\n"), DatabaseMigration.class);
    assertThat(resource.getSpecProblem()).isNull();
    assertThat(resource.getSpec().getImage()).isEqualTo("kiki/migrations:1");
    assertThat(resource.getSpec().getVerify().getTimeout()).isEqualTo("5m");
  }

  @Test
  void anUnknownEnumValueLeavesTheSpecOutAndNamesFieldAndAllowedValues() {
    DatabaseMigration resource =
        SERIALIZATION.unmarshal(
            yaml("  rollback: {onFailure: RestoreEverything}\n"), DatabaseMigration.class);
    assertThat(resource.getSpec()).isNull();
    assertThat(resource.getMetadata().getName()).isEqualTo("campaigns");
    assertThat(resource.getSpecProblem())
        .isEqualTo(
            "spec.rollback.onFailure: Unsupported value \"RestoreEverything\": "
                + "supported values: Downgrade, Restore, DowngradeThenRestore, None");
  }

  @Test
  void aWrongTypeNamesTheField() {
    DatabaseMigration resource =
        SERIALIZATION.unmarshal(yaml("  backup: {keep: five}\n"), DatabaseMigration.class);
    assertThat(resource.getSpecProblem())
        .isEqualTo("spec.backup.keep: invalid value \"five\": must be a number");
  }

  @Test
  void genericLoadingGoesThroughTheSameDecoding() {
    SERIALIZATION.registerKubernetesResource(DatabaseMigration.class);
    HasMetadata item = SERIALIZATION.unmarshal(yaml("  rollback: {onFailure: Sometimes}\n"));
    assertThat(item).isInstanceOf(DatabaseMigration.class);
    assertThat(((DatabaseMigration) item).getSpecProblem())
        .startsWith("spec.rollback.onFailure: Unsupported value");
  }

  @Test
  void strictDecodingReportsUnknownFieldsAsKubectlWould() throws Exception {
    ObjectMapper mapper = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    JsonNode spec = mapper.readTree(yaml("  approvalPolicy: Manual\n")).get("spec");
    assertThat(SpecDecoding.strictProblem(new ObjectMapper(), spec))
        .isEqualTo(
            "spec.approvalPolicy: unknown field (this version of the operator does not have it)");
    JsonNode good = mapper.readTree(yaml("")).get("spec");
    assertThat(SpecDecoding.strictProblem(new ObjectMapper(), good)).isNull();
  }
}
