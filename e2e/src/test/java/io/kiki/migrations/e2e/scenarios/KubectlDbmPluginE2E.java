package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.Repository;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.local.LocalControlPlane;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kubectl plugin ({@code kubectl-dbm/kubectl-dbm}) as a user runs it: kubectl on PATH, the
 * cluster's kubeconfig, nothing else. Each verb against the local cluster: plan (with the SQL),
 * approve (a stale hash refused, then the plan's), history (who approved), suspend, resume, retry.
 */
@ExtendWith(ScenarioExtension.class)
class KubectlDbmPluginE2E {
  private static final String NAME = "kiki-campaigns";

  record Run(int exitCode, String output) {}

  @Test
  void everyVerbWorksAgainstTheLocalCluster(Scenario scenario) throws Exception {
    Assumptions.assumeTrue(
        scenario.cluster() instanceof LocalCluster,
        "runs kubectl against a real API server (-Dkiki.e2e.cluster=local)");
    LocalControlPlane plane = ((LocalCluster) scenario.cluster()).controlPlane();
    scenario.apply("database.yaml");
    scenario.apply("approval.yaml", Map.of("target", KikiRevisions.HEAD, "approval", "Manual"));
    String hash =
        scenario.awaitPhase(NAME, Phase.AwaitingApproval).getStatus().getRollout().getPlanHash();

    Run plan = dbm(plane, scenario, "plan", NAME);
    assertThat(plan.exitCode()).as(plan.output()).isZero();
    assertThat(plan.output())
        .contains("Plan " + hash + " of DatabaseMigration " + scenario.namespace() + "/" + NAME)
        .contains("Irreversible steps: " + KikiRevisions.BACKFILL)
        .contains("CREATE TABLE users")
        .contains("# phase AwaitingApproval, spec.approval Manual, plan " + hash)
        .contains(
            "# approve it: kubectl dbm approve "
                + NAME
                + " "
                + hash
                + " -n "
                + scenario.namespace());

    Run stale = dbm(plane, scenario, "approve", NAME, "0000000000000000");
    assertThat(stale.exitCode()).isEqualTo(1);
    assertThat(stale.output())
        .contains("the plan of " + NAME + " is now " + hash + ", not 0000000000000000");
    assertThat(scenario.get(NAME).getMetadata().getAnnotations())
        .doesNotContainKey(Approval.ANNOTATION);

    Run approve = dbm(plane, scenario, "approve", NAME, hash);
    assertThat(approve.exitCode()).as(approve.output()).isZero();
    assertThat(approve.output()).contains("approved plan " + hash + " of " + NAME);
    DatabaseMigration ready = scenario.awaitSettled(NAME, 1);
    assertThat(ready.getStatus().getPhase())
        .as(ready.getStatus().getMessage())
        .isEqualTo(Phase.Ready);
    assertThat(ready.getStatus().getHistory().get(0).getApprovedBy())
        .as("the plugin's field manager names the user")
        .startsWith("kubectl-dbm");

    Run notWaiting = dbm(plane, scenario, "approve", NAME);
    assertThat(notWaiting.exitCode()).as(notWaiting.output()).isEqualTo(1);
    assertThat(notWaiting.output()).contains(NAME + " is Ready, not AwaitingApproval");

    Run history = dbm(plane, scenario, "history", NAME);
    assertThat(history.exitCode()).as(history.output()).isZero();
    assertThat(history.output())
        .contains("APPROVED BY")
        .contains(hash)
        .contains("kubectl-dbm")
        .contains("Ready");

    Run suspend = dbm(plane, scenario, "suspend", NAME);
    assertThat(suspend.exitCode()).as(suspend.output()).isZero();
    assertThat(scenario.get(NAME).getSpec().getSuspend()).isTrue();
    Run resume = dbm(plane, scenario, "resume", NAME);
    assertThat(resume.exitCode()).as(resume.output()).isZero();
    assertThat(scenario.get(NAME).getSpec().getSuspend()).isFalse();

    long before = scenario.get(NAME).getMetadata().getGeneration();
    Run retry = dbm(plane, scenario, "retry", NAME);
    assertThat(retry.exitCode()).as(retry.output()).isZero();
    DatabaseMigration retried = scenario.get(NAME);
    assertThat(retried.getSpec().getRetryToken()).startsWith("retry-");
    assertThat(retried.getMetadata().getGeneration()).isEqualTo(before + 1);
    DatabaseMigration settled = scenario.awaitSettled(NAME, before + 1);
    assertThat(settled.getStatus().getPhase())
        .as(settled.getStatus().getMessage())
        .isEqualTo(Phase.Ready);

    Run unknown = dbm(plane, scenario, "frobnicate", NAME);
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.output()).contains("unknown command 'frobnicate'");
  }

  /**
   * {@code kubectl dbm ARGS -n NAMESPACE} the way kubectl runs a plugin: {@code kubectl-dbm} found
   * on PATH, with only the control plane's kubectl next to it, and KUBECONFIG set.
   */
  private static Run dbm(LocalControlPlane plane, Scenario scenario, String... args)
      throws IOException, InterruptedException {
    Path bin = Files.createTempDirectory("kubectl-dbm-path");
    Files.copy(
        Repository.root().resolve("kubectl-dbm").resolve("kubectl-dbm"),
        bin.resolve("kubectl-dbm"));
    bin.resolve("kubectl-dbm").toFile().setExecutable(true);
    Files.createSymbolicLink(bin.resolve("kubectl"), plane.kubectl());
    List<String> command = new ArrayList<>(List.of(plane.kubectl().toString(), "dbm"));
    command.addAll(List.of(args));
    command.addAll(List.of("-n", scenario.namespace()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // kubectl's plugin lookup, and the plugin's own kubectl, search PATH: the bin directory and the
    // system's basic tools (bash, date, sed, column), nothing of this machine's Kubernetes tools.
    builder.environment().put("PATH", bin + ":/usr/bin:/bin");
    builder.environment().put("KUBECONFIG", plane.adminKubeconfig().toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("kubectl dbm " + String.join(" ", args) + " hung: " + output);
    }
    return new Run(process.exitValue(), output);
  }
}
