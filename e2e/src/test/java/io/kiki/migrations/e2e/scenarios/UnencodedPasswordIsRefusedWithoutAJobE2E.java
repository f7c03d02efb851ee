package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Secret's URL has an '@' in the password, not URL-encoded. The operator and the runner cannot
 * agree where the host starts, so the operator refuses the URL: the status says to URL-encode the
 * password, no Job is created, and no part of the password appears in status, events or logs. Once
 * the Secret is fixed, the same generation rolls out.
 */
@ExtendWith(ScenarioExtension.class)
class UnencodedPasswordIsRefusedWithoutAJobE2E {

  @Test
  void refusedUntilTheSecretIsFixed(Scenario scenario) {
    String password = scenario.database().password();
    String half = "Zq7" + password.substring(0, Math.min(6, password.length()));
    String badUrl =
        scenario
            .database()
            .clusterUrl()
            .replace(":" + password + "@", ":" + half + "@" + password + "@");
    assertThat(badUrl)
        .as("the password sits in the URL as :PASSWORD@")
        .isNotEqualTo(scenario.database().clusterUrl());
    scenario.apply("bad-url-secret.yaml", Map.of("badUrl", badUrl));
    scenario.apply(
        "fixture-project.yaml",
        Map.of(
            "image",
            TestCluster.KIKI_IMAGE,
            "target",
            "head",
            "table",
            "campaign_deployments",
            "lock",
            "5s"));

    DatabaseMigration refused =
        await("InvalidDatabaseUrl")
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> scenario.get("kiki-campaigns"),
                d ->
                    d.getStatus() != null
                        && d.getStatus().getMessage() != null
                        && d.getStatus().getMessage().contains("URL-encode"));
    // several rechecks of the Secret later: still no Job
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);

    assertThat(refused.getStatus().getPhase()).isEqualTo(Phase.Pending);
    assertThat(refused.getStatus().getMessage()).contains("'@'").contains("%40");
    assertThat(scenario.jobs("kiki-campaigns"))
        .as("no Job for a URL that cannot be used")
        .isEmpty();
    String yaml = Serialization.asYaml(scenario.get("kiki-campaigns"));
    for (String part : new String[] {half, password, half + "@" + password}) {
      assertThat(yaml).as("status").doesNotContain(part);
      assertThat(scenario.eventTexts()).as("events").noneMatch(e -> e.contains(part));
      assertThat(scenario.cluster().logLines())
          .as("operator log")
          .noneMatch(line -> line.contains(part));
    }

    scenario
        .client()
        .secrets()
        .inNamespace(scenario.namespace())
        .withName("kiki-db")
        .edit(
            s -> {
              s.setData(null);
              s.setStringData(Map.of("KIKI_DATABASE_URL", scenario.database().clusterUrl()));
              return s;
            });
    DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 1);
    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
  }
}
