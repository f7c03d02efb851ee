package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import org.junit.jupiter.api.Test;

/** `kubectl apply -k manifests/`: one replica watching all namespaces. */
class BaseInstallTest {

  @Test
  void applyingTheManifestsDirectoryInstallsTheBase() {
    assertThat(Installs.build(Installs.ROOT).objects().stream().map(BaseInstallTest::key).toList())
        .containsExactlyInAnyOrderElementsOf(
            Installs.build(Installs.BASE).objects().stream().map(BaseInstallTest::key).toList());
  }

  @Test
  void oneReplicaWithoutLeaderElectionWatchingAllNamespaces() {
    Install install = Installs.build(Installs.BASE);
    Deployment deployment = install.operatorDeployment();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType())
        .as("without leader election an old and a new pod must never run together")
        .isEqualTo("Recreate");
    assertThat(install.operatorEnv("KIKI_LEADER_ELECTION")).isEqualTo("false");
    assertThat(install.watchedNamespaces()).as("empty = all namespaces").isEmpty();
    assertThat(install.get(ClusterRoleBinding.class, Install.OPERATOR_NAME).getRoleRef().getKind())
        .isEqualTo("ClusterRole");
  }

  @Test
  void operatorNamespaceEnforcesRestrictedPodSecurity() {
    Namespace namespace =
        Installs.build(Installs.BASE).get(Namespace.class, Install.OPERATOR_NAMESPACE);
    assertThat(namespace.getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
  }

  private static String key(HasMetadata object) {
    return object.getKind()
        + "/"
        + object.getMetadata().getNamespace()
        + "/"
        + object.getMetadata().getName();
  }
}
