package io.kiki.migrations.e2e.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kiki.migrations.e2e.Repository;
import io.kiki.migrations.e2e.sandbox.SandboxApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sandbox API server authorizes the operator's client (by User-Agent) as the install's RBAC does, and only it. */
class SandboxApiServerRbacTest {

  private static SandboxApiServer api;
  private static KubernetesClient operator;

  @BeforeAll
  static void start() throws Exception {
    api = SandboxApiServer.start(OperatorRbac.fromKustomization(Repository.root().resolve("manifests")));
    operator = api.newClient(SandboxApiServer.OPERATOR_USER_AGENT);
    api.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
    api.client().secrets().inNamespace("shop")
        .resource(new SecretBuilder().withNewMetadata().withName("db").endMetadata().addToStringData("url", "x").build()).create();
  }

  @AfterAll
  static void stop() {
    operator.close();
    api.close();
  }

  @Test
  void grantedRequestsPassAndAreRecorded() {
    assertThat(operator.secrets().inNamespace("shop").withName("db").get()).isNotNull();
    assertThat(api.audit().used()).contains(new VerbOnResource("get", "", "secrets"));
  }

  @Test
  void otherRequestsOfTheOperatorAreForbiddenWithAStatusAndRecorded() {
    api.audit().drainForbidden();
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
        () -> operator.secrets().inNamespace("shop").list());
    assertThat(e.getCode()).isEqualTo(403);
    assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
    assertThat(e.getStatus().getMessage()).isEqualTo("secrets is forbidden: User \"system:serviceaccount:kiki-migrations-system:"
        + "kiki-migrations-operator\" cannot list resource \"secrets\" in API group \"\" in the namespace \"shop\"");
    assertThat(api.audit().drainForbidden()).singleElement()
        .satisfies(r -> assertThat(r.verbOnResource()).isEqualTo(new VerbOnResource("list", "", "secrets")));
    assertThat(api.audit().used()).doesNotContain(new VerbOnResource("list", "", "secrets"));
  }

  @Test
  void forbiddenWatchesToo() {
    api.audit().drainForbidden();
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
        () -> operator.secrets().inNamespace("shop").watch(new io.fabric8.kubernetes.client.Watcher<>() {
          @Override
          public void eventReceived(Action action, io.fabric8.kubernetes.api.model.Secret resource) {
          }

          @Override
          public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
          }
        }));
    assertThat(e).isNotNull();
    assertThat(e.getCode()).isEqualTo(403);
    assertThat(api.audit().drainForbidden()).extracting(ApiRequest::verb).containsOnly("watch");
  }

  @Test
  void otherClientsAreNotChecked() {
    assertThat(api.client().secrets().inNamespace("shop").list().getItems()).hasSize(1);
    try (KubernetesClient kubelet = api.newClient(SandboxApiServer.KUBELET_USER_AGENT)) {
      assertThat(kubelet.secrets().inNamespace("shop").list().getItems()).hasSize(1);
    }
    assertThat(api.audit().drainForbidden()).isEmpty();
  }
}
