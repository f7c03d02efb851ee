package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;

/**
 * overlays/namespace-scoped: one watched namespace, no cluster-wide permissions for the operator's
 * work.
 */
class NamespaceScopedOverlayTest {

  private final Install install = Installs.build(Installs.NAMESPACE_SCOPED);

  @Test
  void watchesExactlyOneNamespace() {
    assertThat(install.watchedNamespaces()).containsExactly("kiki");
  }

  @Test
  void hasNoClusterRoleOrClusterRoleBinding() {
    assertThat(install.all(ClusterRole.class)).isEmpty();
    assertThat(install.all(ClusterRoleBinding.class)).isEmpty();
  }

  @Test
  void grantsTheOperatorRulesWithARoleInTheWatchedNamespace() {
    Role role =
        install.all(Role.class).stream()
            .filter(candidate -> candidate.getMetadata().getName().equals(Install.OPERATOR_NAME))
            .findFirst()
            .orElseThrow();
    assertThat(role.getMetadata().getNamespace()).isEqualTo("kiki");

    RoleBinding binding =
        install.all(RoleBinding.class).stream()
            .filter(candidate -> candidate.getRoleRef().getName().equals(Install.OPERATOR_NAME))
            .findFirst()
            .orElseThrow();
    assertThat(binding.getMetadata().getNamespace())
        .as("follows the Role's namespace")
        .isEqualTo("kiki");
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            subject -> {
              assertThat(subject.getKind()).isEqualTo("ServiceAccount");
              assertThat(subject.getNamespace()).isEqualTo(Install.OPERATOR_NAMESPACE);
            });
  }
}
