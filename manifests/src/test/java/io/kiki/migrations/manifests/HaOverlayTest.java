package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

/** overlays/ha: two replicas, one leader elected through a coordination.k8s.io Lease. */
class HaOverlayTest {

  private final Install install = Installs.build(Installs.HA);

  @Test
  void runsTwoReplicasWithLeaderElection() {
    Deployment deployment = install.operatorDeployment();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(install.operatorEnv("KIKI_LEADER_ELECTION")).isEqualTo("true");
    assertThat(install.operatorEnv("KIKI_LEADER_ELECTION_NAMESPACE"))
        .isEqualTo(Install.OPERATOR_NAMESPACE);
    assertThat(install.watchedNamespaces()).isEmpty();
  }

  @Test
  void mayHoldTheLeaseInItsOwnNamespaceOnly() {
    Deployment deployment = install.operatorDeployment();
    ServiceAccountPermissions permissions =
        new ServiceAccountPermissions(
            install,
            Install.OPERATOR_NAMESPACE,
            deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
    for (String verb : new String[] {"get", "create", "update"}) {
      assertThat(
              permissions.allows(
                  Install.OPERATOR_NAMESPACE,
                  "coordination.k8s.io",
                  "leases",
                  verb,
                  OperatorRbacNeeds.LEASE_NAME))
          .as(verb + " the Lease")
          .isTrue();
      assertThat(permissions.allowsClusterWide("coordination.k8s.io", "leases", verb)).isFalse();
    }
  }

  @Test
  void mayReadAndRenewOnlyItsOwnLease() {
    Deployment deployment = install.operatorDeployment();
    ServiceAccountPermissions permissions =
        new ServiceAccountPermissions(
            install,
            Install.OPERATOR_NAMESPACE,
            deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
    for (String verb : new String[] {"get", "update"}) {
      assertThat(
              permissions.allows(
                  Install.OPERATOR_NAMESPACE,
                  "coordination.k8s.io",
                  "leases",
                  verb,
                  "another-controllers-lease"))
          .as(verb + " another Lease")
          .isFalse();
    }
  }

  @Test
  void keepsOneOperatorRunningThroughUpdatesAndDisruptions() {
    Deployment deployment = install.operatorDeployment();
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(
            deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    assertThat(deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity())
        .isNotNull();

    PodDisruptionBudget budget = install.get(PodDisruptionBudget.class, Install.OPERATOR_NAME);
    assertThat(budget.getMetadata().getNamespace()).isEqualTo(Install.OPERATOR_NAMESPACE);
    assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
  }
}
