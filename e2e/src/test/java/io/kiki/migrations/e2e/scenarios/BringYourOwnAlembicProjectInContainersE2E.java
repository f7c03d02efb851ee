package io.kiki.migrations.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.Repository;
import io.kiki.migrations.e2e.cluster.ContainerImages;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.local.NodeAgent;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Container mode: the two "bring your own Alembic project" examples of {@code
 * migrations-image/examples/}, built as a team would (scripts/build-example-images.sh), each rolled
 * out by a DatabaseMigration: plan, backup (the image's pg_dump), upgrade to head, verify, Ready.
 * One extends the runner image with another project; the other is an application image with the
 * kiki-migrate package pip-installed (another SQLAlchemy and driver than the runner image).
 */
@ExtendWith(ScenarioExtension.class)
class BringYourOwnAlembicProjectInContainersE2E {
  static final String INVENTORY_IMAGE =
      "registry.example.com/kiki-examples/inventory-migrations:1.0.0";
  static final String ORDERS_IMAGE = "registry.example.com/kiki-examples/orders-app:1.0.0";

  @Test
  void runnerImageExtendedWithAnotherProjectIsRolledOut(Scenario scenario) {
    rollOut(scenario, INVENTORY_IMAGE, "stock_items", "b2c3d4e5f6a7", "warehouse");
  }

  @Test
  void applicationImageWithThePackageInstalledIsRolledOut(Scenario scenario) {
    rollOut(scenario, ORDERS_IMAGE, "orders", "1b2c3d4e5f60", "total_cents");
  }

  private static void rollOut(
      Scenario scenario, String image, String table, String head, String column) {
    assumeThat(scenario.cluster())
        .as("runs on the local cluster in container mode (-Dkiki.e2e.nodeAgent=container)")
        .isInstanceOfSatisfying(
            LocalCluster.class,
            c -> assumeThat(c.nodeAgentMode()).isEqualTo(NodeAgent.Mode.CONTAINER));
    buildExamplesOnce();

    scenario.apply("database.yaml");
    scenario.apply(
        "fixture-project.yaml",
        Map.of("image", image, "target", "head", "table", table, "lock", "5s"));
    DatabaseMigration dbm = scenario.awaitSettled("kiki-campaigns", 1);

    assertThat(dbm.getStatus().getPhase()).as(dbm.getStatus().getMessage()).isEqualTo(Phase.Ready);
    assertThat(dbm.getStatus().getCurrentRevision()).isEqualTo(head);
    assertThat(dbm.getStatus().getAppliedImage()).isEqualTo(image);
    assertThat(dbm.getStatus().getLastBackup().getRevision()).isEqualTo("base");
    assertThat(scenario.databaseRevisions()).containsExactly(head);
    assertThat(
            scenario.query(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = '"
                    + table
                    + "' AND column_name = '"
                    + column
                    + "'"))
        .containsExactly(List.of(1L));
    List<Pod> pods = scenario.client().pods().inNamespace(scenario.namespace()).list().getItems();
    assertThat(pods)
        .as("plan, backup and upgrade, each from the example image")
        .hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(
            pod -> {
              ContainerStatus status = pod.getStatus().getContainerStatuses().get(0);
              assertThat(status.getImage()).isEqualTo(image);
              assertThat(status.getContainerID()).startsWith("podman://");
              assertThat(status.getState().getTerminated().getExitCode()).isZero();
            });
  }

  private static boolean built;

  private static synchronized void buildExamplesOnce() {
    if (!built) {
      ContainerImages.buildExamples(Repository.root());
      built = true;
    }
  }
}
