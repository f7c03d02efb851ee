package io.kiki.migrations.operator.health;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.api.v1alpha1.HealthCheckSpec;
import io.kiki.migrations.operator.database.JdbcTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs one round of a resource's verify checks. */
public class HealthChecks {
  private final KubernetesClient client;
  private final Duration timeout;

  public HealthChecks(KubernetesClient client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  public List<CheckResult> runRound(
      List<HealthCheckSpec> checks, String namespace, JdbcTarget database) {
    List<CheckResult> results = new ArrayList<>();
    for (HealthCheckSpec check : checks) {
      if (check.getSql() != null) {
        results.add(SqlCheck.run(check.getName(), database, check.getSql(), timeout));
      } else if (check.getHttp() != null) {
        int expect =
            check.getHttp().getExpectStatus() == null ? 200 : check.getHttp().getExpectStatus();
        results.add(HttpCheck.run(check.getName(), check.getHttp().getUrl(), expect, timeout));
      } else if (check.getDeployment() != null) {
        results.add(
            DeploymentCheck.run(
                check.getName(), client, namespace, check.getDeployment().getName()));
      } else {
        results.add(
            CheckResult.fail(check.getName(), "the check has none of sql, http, deployment"));
      }
    }
    return results;
  }
}
