package io.kiki.migrations.e2e.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.e2e.Repository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's permissions as the sandbox API server reads them from {@code kubectl kustomize manifests/}. */
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
    assertThat(rbac.allows(ApiRequest.parse("GET", "/apis/migrations.kiki.io/v1alpha1/databasemigrations?watch=true"))).isTrue();
    assertThat(rbac.allows(ApiRequest.parse("GET", "/api/v1/namespaces/shop/secrets/db"))).isTrue();
    assertThat(rbac.allows(ApiRequest.parse("PUT", "/apis/migrations.kiki.io/v1alpha1/namespaces/shop/databasemigrations/d/status"))).isTrue();
  }

  @Test
  void whatNoRuleGrantsIsForbidden() {
    assertThat(rbac.allows(ApiRequest.parse("GET", "/api/v1/namespaces/shop/secrets"))).as("list secrets").isFalse();
    assertThat(rbac.allows(ApiRequest.parse("PATCH", "/apis/migrations.kiki.io/v1alpha1/namespaces/shop/databasemigrations/d")))
        .as("patch the spec").isFalse();
    assertThat(rbac.allows(ApiRequest.parse("GET", "/api/v1/namespaces"))).as("list namespaces").isFalse();
    assertThat(rbac.allows(ApiRequest.parse("DELETE", "/apis/batch/v1/namespaces/shop/jobs"))).as("deletecollection").isFalse();
  }

  @Test
  void leaseRulesHoldOnlyInTheOperatorNamespaceAndForItsLease() {
    String lease = "/apis/coordination.k8s.io/v1/namespaces/kiki-migrations-system/leases";
    assertThat(rbac.allows(ApiRequest.parse("GET", lease + "/kiki-migrations-operator"))).isTrue();
    assertThat(rbac.allows(ApiRequest.parse("PUT", lease + "/kiki-migrations-operator"))).isTrue();
    assertThat(rbac.allows(ApiRequest.parse("POST", lease))).isTrue();
    assertThat(rbac.allows(ApiRequest.parse("GET", lease + "/other"))).isFalse();
    assertThat(rbac.allows(ApiRequest.parse("GET", "/apis/coordination.k8s.io/v1/namespaces/shop/leases/kiki-migrations-operator"))).isFalse();
  }

  @Test
  void discoveryIsAllowedAsSystemDiscoveryDoes() {
    assertThat(rbac.allows(ApiRequest.parse("GET", "/version"))).isTrue();
    assertThat(rbac.allows(ApiRequest.parse("GET", "/apis/batch/v1"))).isTrue();
    assertThat(rbac.allows(ApiRequest.parse("GET", "/metrics"))).isFalse();
  }
}
