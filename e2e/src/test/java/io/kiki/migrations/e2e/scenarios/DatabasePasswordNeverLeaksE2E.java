package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Projects;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After a successful rollout, a Blocked plan and a failed migration, the database password appears
 * in no status, event, Job spec, pod status or log line (operator's and Jobs').
 */
@ExtendWith(ScenarioExtension.class)
class DatabasePasswordNeverLeaksE2E {

  @Test
  void passwordAppearsNowhere(Scenario scenario) {
    String password = scenario.database().password();
    assertThat(password).as("a password worth looking for").hasSizeGreaterThanOrEqualTo(8);
    String broken =
        scenario.image(
            "registry.example.com/kiki/migrations:1.7.0-broken",
            Projects.copyOfKiki("broken")
                .withRevision(
                    "e2e0fail0001_half_done.py", Map.of("down_revision", KikiRevisions.HEAD))
                .dir());
    scenario.apply("database.yaml");
    scenario.apply("password.yaml", Map.of("image", TestCluster.KIKI_IMAGE, "target", "head"));
    assertThat(scenario.awaitSettled("kiki-campaigns", 1).getStatus().getPhase())
        .isEqualTo(Phase.Ready);
    scenario.apply(
        "password.yaml", Map.of("image", TestCluster.KIKI_IMAGE, "target", "0000deadbeef"));
    assertThat(scenario.awaitSettled("kiki-campaigns", 2).getStatus().getPhase())
        .isEqualTo(Phase.Blocked);
    scenario.apply("password.yaml", Map.of("image", broken, "target", "head"));
    assertThat(scenario.awaitSettled("kiki-campaigns", 3).getStatus().getPhase())
        .isEqualTo(Phase.Failed);

    assertThat(Serialization.asYaml(scenario.get("kiki-campaigns")))
        .as("the resource")
        .doesNotContain(password);
    assertThat(scenario.eventTexts())
        .as("events")
        .isNotEmpty()
        .noneMatch(e -> e.contains(password));
    List<Job> jobs = scenario.jobs("kiki-campaigns");
    assertThat(jobs).hasSizeGreaterThanOrEqualTo(5);
    for (Job job : jobs) {
      assertThat(Serialization.asYaml(job))
          .as("Job %s", job.getMetadata().getName())
          .doesNotContain(password);
      List<EnvVar> env = job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
      assertThat(env)
          .filteredOn(e -> e.getName().equals("KIKI_DATABASE_URL"))
          .singleElement()
          .satisfies(e -> assertThat(e.getValue()).as("URL only through secretKeyRef").isNull());
    }
    assertThat(scenario.client().pods().inNamespace(scenario.namespace()).list().getItems())
        .isNotEmpty()
        .allSatisfy(p -> assertThat(Serialization.asYaml(p)).doesNotContain(password));
    List<String> logLines = scenario.cluster().logLines();
    assertThat(logLines)
        .as("operator and Job log lines")
        .isNotEmpty()
        .noneMatch(line -> line.contains(password));
  }
}
