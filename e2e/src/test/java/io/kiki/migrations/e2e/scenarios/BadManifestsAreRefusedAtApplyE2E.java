package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.local.LocalControlPlane;
import io.kiki.migrations.e2e.support.Fixtures;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A platform team's typos never reach the operator: the real API server refuses each bad manifest
 * at {@code kubectl apply} (the CRD's schema and CEL rules, and kubectl's strict field validation),
 * with a message that names the field and says what is wrong. Only {@code local} validates; the
 * sandbox's mock accepts anything (the operator's SpecValidator then blocks the resource, see its
 * tests).
 */
@ExtendWith(ScenarioExtension.class)
class BadManifestsAreRefusedAtApplyE2E {

  /** Fixture (bad-manifests/) -> what the refusal must say: the field, and the rule or the fix. */
  static final Map<String, List<String>> REFUSALS = new LinkedHashMap<>();

  static {
    REFUSALS.put(
        "base-without-allow-downgrade.yaml",
        List.of("targetRevision base removes the whole schema: it needs allowDowngrade: true"));
    REFUSALS.put("malformed-revision.yaml", List.of("spec.targetRevision", "should match"));
    REFUSALS.put(
        "keep-zero.yaml", List.of("spec.backup.keep", "should be greater than or equal to 1"));
    REFUSALS.put("unknown-field.yaml", List.of("unknown field \"spec.backups\""));
    REFUSALS.put(
        "unknown-enum-value.yaml",
        List.of(
            "spec.rollback.onFailure", "Unsupported value: \"Rollback\"", "DowngradeThenRestore"));
    REFUSALS.put("bad-check-name.yaml", List.of("spec.verify.checks[0].name", "should match"));
    REFUSALS.put(
        "name-over-63-characters.yaml",
        List.of("metadata.name must be at most 63 characters", "choose a shorter name"));
    REFUSALS.put(
        "interval-longer-than-timeout.yaml",
        List.of("spec.verify.interval", "must not be longer than verify.timeout"));
    REFUSALS.put("zero-interval.yaml", List.of("spec.verify.interval", "must be longer than 0s"));
    REFUSALS.put("negative-timeout.yaml", List.of("spec.verify.timeout", "should match"));
    REFUSALS.put(
        "restore-without-backup.yaml",
        List.of("rollback.onFailure Restore needs backup.enabled: true"));
    REFUSALS.put(
        "check-with-two-kinds.yaml",
        List.of("spec.verify.checks[0]", "a check needs exactly one of sql, http, deployment"));
    REFUSALS.put(
        "success-threshold-zero.yaml",
        List.of("spec.verify.successThreshold", "should be greater than or equal to 1"));
    REFUSALS.put(
        "duplicate-check-names.yaml", List.of("spec.verify", "verify.checks names must be unique"));
    REFUSALS.put("missing-database.yaml", List.of("spec.database", "Required value"));
    REFUSALS.put(
        "window-schedule-with-six-fields.yaml",
        List.of("spec.maintenanceWindow.schedule", "should match"));
    REFUSALS.put(
        "window-duration-zero.yaml",
        List.of("spec.maintenanceWindow", "maintenanceWindow.duration must be longer than 0"));
    REFUSALS.put(
        "window-duration-malformed.yaml",
        List.of("spec.maintenanceWindow.duration", "should match"));
    REFUSALS.put(
        "malformed-durations.yaml",
        List.of(
            "spec.driftCheckInterval",
            "spec.verify.timeout",
            "spec.verify.interval",
            "should match"));
    REFUSALS.put(
        "jobs-history-limit-negative.yaml",
        List.of("spec.successfulJobsHistoryLimit", "should be greater than or equal to 0"));
  }

  @Test
  void eachBadManifestIsRefusedNamingTheField(Scenario scenario) throws IOException {
    Assumptions.assumeTrue(
        scenario.cluster() instanceof LocalCluster,
        "needs a validating API server (-Dkiki.e2e.cluster=local)");
    LocalControlPlane plane = ((LocalCluster) scenario.cluster()).controlPlane();

    String accepted =
        plane.kubectl(
            "apply", "-n", scenario.namespace(), "-f", fixture("accepted.yaml").toString());
    assertThat(accepted)
        .as("the valid manifest the bad ones differ from")
        .contains("databasemigration.migrations.kiki.io/accepted created");

    SoftAssertions softly = new SoftAssertions();
    for (Map.Entry<String, List<String>> refusal : REFUSALS.entrySet()) {
      String output;
      try {
        output =
            plane.kubectl(
                "apply", "-n", scenario.namespace(), "-f", fixture(refusal.getKey()).toString());
      } catch (LocalControlPlane.KubectlException e) {
        output = e.output();
        for (String expected : refusal.getValue()) {
          softly.assertThat(output).as(refusal.getKey()).contains(expected);
        }
        // A CEL rule converts a duration only once it matches the pattern: a malformed one gets
        // the pattern's error alone.
        softly.assertThat(output).as(refusal.getKey()).doesNotContain("type conversion error");
        continue;
      }
      softly.fail(refusal.getKey() + " was accepted: " + output);
    }
    softly.assertAll();
    assertThat(scenario.migrations().inNamespace(scenario.namespace()).list().getItems())
        .extracting(d -> d.getMetadata().getName())
        .containsExactly("accepted");
  }

  private static Path fixture(String name) throws IOException {
    Path file = Files.createTempFile("kiki-bad-manifest-", ".yaml");
    Files.writeString(
        file,
        Fixtures.text(BadManifestsAreRefusedAtApplyE2E.class, "bad-manifests/" + name, Map.of()));
    return file;
  }
}
