package io.kiki.migrations.e2e.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.e2e.Repository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's permissions as read from {@code kubectl kustomize manifests/}. */
class OperatorRbacTest {

  private static OperatorRbac rbac;

  @BeforeAll
  static void build() {
    rbac = OperatorRbac.fromKustomization(Repository.root().resolve("manifests"));
  }

  @Test
  void theServiceAccountOfTheDeployment() {
    assertThat(rbac.serviceAccount()).isEqualTo("kiki-migrations-system/kiki-migrations-operator");
  }

  @Test
  void clusterRoleRulesHoldInEveryNamespace() {
    assertThat(rbac.grants()).filteredOn(g -> g.namespace() == null).extracting(OperatorRbac.Grant::verbOnResource)
        .contains(new VerbOnResource("watch", "migrations.kiki.io", "databasemigrations"),
            new VerbOnResource("get", "", "secrets"),
            new VerbOnResource("update", "migrations.kiki.io", "databasemigrations/status"),
            new VerbOnResource("create", "batch", "jobs"))
        .doesNotContain(new VerbOnResource("list", "", "secrets"), new VerbOnResource("delete", "batch", "jobs"));
  }

  @Test
  void leaseRulesHoldOnlyInTheOperatorNamespaceAndForItsLease() {
    assertThat(rbac.grants()).filteredOn(g -> g.verbOnResource().resource().equals("leases")).isNotEmpty()
        .allSatisfy(g -> assertThat(g.namespace()).isEqualTo("kiki-migrations-system"))
        .filteredOn(g -> !g.verbOnResource().verb().equals("create"))
        .allSatisfy(g -> assertThat(g.resourceNames()).containsExactly("kiki-migrations-operator"));
  }
}
