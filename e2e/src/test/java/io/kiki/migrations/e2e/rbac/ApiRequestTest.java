package io.kiki.migrations.e2e.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HTTP requests as the API server's authorizer sees them (RequestInfoFactory). */
class ApiRequestTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "GET    | /apis/migrations.kiki.io/v1alpha1/namespaces/kiki/databasemigrations/db | get | migrations.kiki.io | databasemigrations | - | db | kiki",
        "GET    | /apis/migrations.kiki.io/v1alpha1/databasemigrations?resourceVersion=0 | list | migrations.kiki.io | databasemigrations | - | - | -",
        "GET    | /apis/migrations.kiki.io/v1alpha1/databasemigrations?allowWatchBookmarks=true&watch=true | watch | migrations.kiki.io | databasemigrations | - | - | -",
        "GET    | /apis/batch/v1/namespaces/kiki/jobs?labelSelector=a%3Db&watch=1 | watch | batch | jobs | - | - | kiki",
        "GET    | /api/v1/namespaces/kiki/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3Dj | list | '' | pods | - | - | kiki",
        "GET    | /api/v1/namespaces/kiki/pods/p/log?container=c | get | '' | pods | log | p | kiki",
        "PUT    | /apis/migrations.kiki.io/v1alpha1/namespaces/kiki/databasemigrations/db/status | update | migrations.kiki.io | databasemigrations | status | db | kiki",
        "PATCH  | /apis/apps/v1/namespaces/kiki/deployments/api | patch | apps | deployments | - | api | kiki",
        "POST   | /api/v1/namespaces/kiki/events | create | '' | events | - | - | kiki",
        "DELETE | /apis/batch/v1/namespaces/kiki/jobs/j | delete | batch | jobs | - | j | kiki",
        "DELETE | /apis/batch/v1/namespaces/kiki/jobs | deletecollection | batch | jobs | - | - | kiki",
        "GET    | /api/v1/namespaces/kiki/secrets?fieldSelector=metadata.name%3Ddb | list | '' | secrets | - | db | kiki",
        "GET    | /api/v1/namespaces/kiki | get | '' | namespaces | - | kiki | kiki",
        "GET    | /api/v1/watch/namespaces/kiki/pods | watch | '' | pods | - | - | kiki",
        "GET    | /apis/coordination.k8s.io/v1/namespaces/ops/leases/kiki-migrations-operator | get | coordination.k8s.io | leases | - | kiki-migrations-operator | ops",
      })
  void resourceRequests(
      String method,
      String path,
      String verb,
      String group,
      String resource,
      String subresource,
      String name,
      String namespace) {
    ApiRequest request = ApiRequest.parse(method.strip(), path.strip());
    assertThat(request.isResourceRequest()).isTrue();
    assertThat(request)
        .extracting(
            ApiRequest::verb,
            ApiRequest::apiGroup,
            ApiRequest::resource,
            ApiRequest::subresource,
            ApiRequest::name,
            ApiRequest::namespace)
        .containsExactly(verb, group, resource, subresource, name, namespace);
  }

  @Test
  void discoveryIsNotAResourceRequest() {
    for (String path :
        new String[] {"/version", "/api", "/apis", "/apis/batch/v1", "/api/v1", "/openapi/v2"}) {
      ApiRequest request = ApiRequest.parse("GET", path);
      assertThat(request.isResourceRequest()).as(path).isFalse();
      assertThat(request.verb()).isEqualTo("get");
      assertThat(request.path()).isEqualTo(path);
    }
  }

  @Test
  void rbacResourceJoinsTheSubresource() {
    assertThat(
            ApiRequest.parse(
                    "PUT",
                    "/apis/migrations.kiki.io/v1alpha1/namespaces/k/databasemigrations/d/status")
                .verbOnResource())
        .isEqualTo(new VerbOnResource("update", "migrations.kiki.io", "databasemigrations/status"));
  }
}
