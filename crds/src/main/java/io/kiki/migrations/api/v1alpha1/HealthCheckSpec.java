package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.sql) ? 1 : 0) + (has(self.http) ? 1 : 0) + (has(self.deployment) ? 1 : 0) == 1",
    message = "a check needs exactly one of sql, http, deployment")
public class HealthCheckSpec {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  // A bound on the length keeps the API server's cost estimate of the uniqueness rule in VerifySpec
  // within budget.
  @Size(max = 63)
  @JsonPropertyDescription("Name of the check, used in status messages and events.")
  private String name;

  @JsonPropertyDescription(
      "SQL query run by the operator over JDBC in a read-only transaction. Passes when it runs and the "
          + "first column of its first row (if any) is not false, 0 or NULL.")
  private String sql;

  @JsonPropertyDescription("HTTP GET from the operator; passes on the expected status.")
  private HttpCheckSpec http;

  @JsonPropertyDescription(
      "Deployment in the resource's namespace; passes when it is fully rolled out and Available.")
  private DeploymentCheckSpec deployment;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getSql() {
    return sql;
  }

  public void setSql(String sql) {
    this.sql = sql;
  }

  public HttpCheckSpec getHttp() {
    return http;
  }

  public void setHttp(HttpCheckSpec http) {
    this.http = http;
  }

  public DeploymentCheckSpec getDeployment() {
    return deployment;
  }

  public void setDeployment(DeploymentCheckSpec deployment) {
    this.deployment = deployment;
  }
}
