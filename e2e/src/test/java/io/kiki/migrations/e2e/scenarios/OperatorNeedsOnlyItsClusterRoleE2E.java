package io.kiki.migrations.e2e.scenarios;

import static io.kiki.migrations.operator.Conditions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.cluster.SandboxCluster;
import io.kiki.migrations.e2e.rbac.ApiAudit;
import io.kiki.migrations.e2e.rbac.VerbOnResource;
import io.kiki.migrations.e2e.support.KikiRevisions;
import io.kiki.migrations.e2e.support.Scenario;
import io.kiki.migrations.e2e.support.ScenarioExtension;
import io.kiki.migrations.manifests.Installs;
import io.kiki.migrations.manifests.ServiceAccountPermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Least privilege, the other half of what every scenario proves (that nothing the operator does is
 * forbidden): representative rollouts use every permission the install grants the operator, except
 * the few below, each with the reason it is never requested. On the sandbox (its API server's
 * record) and on {@code local} (the real API server's audit log of the operator's ServiceAccount).
 */
@ExtendWith(ScenarioExtension.class)
class OperatorNeedsOnlyItsClusterRoleE2E {

  /** Granted, needed in a real cluster, and never requested in these rollouts; with the reason. */
  static final Map<VerbOnResource, String> NEVER_REQUESTED =
      Map.of(
          new VerbOnResource("get", "coordination.k8s.io", "leases"),
          "leader election (KIKI_LEADER_ELECTION=true, the HA overlay) is off in the scenarios (LeaderElectionIT in operator/ covers it)",
          new VerbOnResource("create", "coordination.k8s.io", "leases"),
          "leader election (KIKI_LEADER_ELECTION=true, the HA overlay) is off in the scenarios (LeaderElectionIT in operator/ covers it)",
          new VerbOnResource("update", "coordination.k8s.io", "leases"),
          "leader election (KIKI_LEADER_ELECTION=true, the HA overlay) is off in the scenarios (LeaderElectionIT in operator/ covers it)",
          new VerbOnResource("update", "migrations.kiki.io", "databasemigrations/finalizers"),
          "Jobs carry an ownerReference with blockOwnerDeletion=true (JobFactory); the OwnerReferencesPermissionEnforcement "
              + "admission plugin (on in most clusters, and on `local`) then requires update on the owner's finalizers "
              + "subresource at Job create. It is an authorization check inside the Job's create, never a request of its "
              + "own: on `local` a Job create would be refused without it; the sandbox runs no admission plugins.");

  @Test
  void representativeRolloutsUseEveryGrantedPermission(Scenario scenario) {
    Supplier<ApiAudit> audit;
    if (scenario.cluster() instanceof SandboxCluster sandbox) {
      audit = () -> sandbox.sandbox().operatorApiAudit();
    } else if (scenario.cluster() instanceof LocalCluster local) {
      audit = local::operatorApiAudit;
    } else {
      audit = null;
    }
    Assumptions.assumeTrue(
        audit != null,
        "needs the API server's record of the operator's requests (sandbox or local)");
    Deployment operator = Installs.build(Installs.ROOT).operatorDeployment();
    String serviceAccount =
        operator.getMetadata().getNamespace()
            + "/"
            + operator.getSpec().getTemplate().getSpec().getServiceAccountName();
    ServiceAccountPermissions rbac =
        new ServiceAccountPermissions(
            Installs.build(Installs.ROOT),
            operator.getMetadata().getNamespace(),
            operator.getSpec().getTemplate().getSpec().getServiceAccountName());
    Set<VerbOnResource> used;
    try (ApiAudit.Recording recording = audit.get().startRecording()) {
      // 0. the operator starts (its informers list and watch), as a new pod would
      scenario.cluster().stopOperator();
      scenario.cluster().startOperator();

      // 1. fresh database -> revision with a backup, verified by SQL and by the application's
      // Deployment
      scenario.apply("database.yaml");
      scenario
          .client()
          .apps()
          .deployments()
          .inNamespace(scenario.namespace())
          .resource(availableDeployment())
          .create();
      scenario
          .client()
          .apps()
          .deployments()
          .inNamespace(scenario.namespace())
          .resource(availableDeployment())
          .updateStatus();
      scenario.apply("rbac-fresh-with-deployment-check.yaml");
      DatabaseMigration ready = scenario.awaitSettled("kiki-campaigns", 1);
      assertThat(ready.getStatus().getPhase())
          .as(ready.getStatus().getMessage())
          .isEqualTo(Phase.Ready);

      // 2. a failing check after an irreversible step -> rolled back by restoring the backup
      scenario.executeSqlFixture("kiki-rows.sql");
      scenario.apply("irreversible-bump.yaml");
      DatabaseMigration rolledBack = scenario.awaitSettled("kiki-campaigns", 2);
      assertThat(rolledBack.getStatus().getPhase())
          .as(rolledBack.getStatus().getMessage())
          .isEqualTo(Phase.RolledBack);
      assertThat(rolledBack.getStatus().getRollout().getJobs().getRestore()).isNotNull();
      assertThat(scenario.databaseRevisions()).containsExactly(KikiRevisions.ARCHIVED);

      // 3. a Secret that does not exist -> Pending, Stalled
      scenario.apply("rbac-missing-secret.yaml");
      DatabaseMigration orphan =
          await("Stalled SecretNotFound")
              .atMost(Scenario.ROLLOUT_TIMEOUT)
              .until(
                  () -> scenario.get("kiki-orphan"),
                  d ->
                      d != null
                          && d.getStatus() != null
                          && d.getStatus().getConditions() != null
                          && d.getStatus().getConditions().stream()
                              .anyMatch(
                                  c ->
                                      c.getType().equals("Stalled")
                                          && c.getStatus().equals("True")
                                          && "SecretNotFound".equals(c.getReason())));
      assertThat(orphan.getStatus().getPhase()).isEqualTo(Phase.Pending);
      assertCondition(orphan, "Stalled", "True", "SecretNotFound", 1);
      audit.get();
      used = recording.used();
    }

    Set<VerbOnResource> granted =
        rbac.grants().stream()
            .map(g -> new VerbOnResource(g.verb(), g.apiGroup(), g.resource()))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<VerbOnResource> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    unused.removeAll(NEVER_REQUESTED.keySet());
    assertThat(unused)
        .as(
            "granted to "
                + serviceAccount
                + " by `kubectl kustomize manifests/` but never requested by the operator "
                + "(remove from manifests/base/cluster-role.yaml, the namespace-scoped Role and OperatorRbacNeeds, or justify "
                + "in NEVER_REQUESTED); the operator used: "
                + used)
        .isEmpty();
    assertThat(NEVER_REQUESTED.keySet())
        .as("the allow-list names only granted permissions")
        .allMatch(granted::contains);
    assertThat(used)
        .as("the allow-list names only what is never requested")
        .doesNotContainAnyElementsOf(NEVER_REQUESTED.keySet());
  }

  private static Deployment availableDeployment() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("kiki-api")
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .addToMatchLabels("app", "kiki-api")
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", "kiki-api")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("api")
        .withImage("registry.example.com/kiki/api:1.6.0")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(1L)
        .withReplicas(1)
        .withUpdatedReplicas(1)
        .withAvailableReplicas(1)
        .withReadyReplicas(1)
        .addNewCondition()
        .withType("Available")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }
}
