package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpCheckSpec {
  @Required
  @Pattern("^https?://\\S+$")
  @JsonPropertyDescription("URL to GET, e.g. http://kiki-api.kiki.svc:8080/healthz.")
  private String url;

  @Default("200")
  @Min(100)
  @Max(599)
  @JsonPropertyDescription("HTTP status that counts as healthy. Default: 200.")
  private Integer expectStatus = 200;

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public Integer getExpectStatus() {
    return expectStatus;
  }

  public void setExpectStatus(Integer expectStatus) {
    this.expectStatus = expectStatus;
  }
}
