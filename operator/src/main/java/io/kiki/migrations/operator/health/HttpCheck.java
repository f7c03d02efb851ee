package io.kiki.migrations.operator.health;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs a URL; passes on the expected status code. */
public final class HttpCheck {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private HttpCheck() {}

  public static CheckResult run(String name, String url, int expectStatus, Duration timeout) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
      int status = CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return status == expectStatus
          ? CheckResult.pass(name)
          : CheckResult.fail(
              name, "GET " + url + " returned " + status + ", expected " + expectStatus);
    } catch (IOException | IllegalArgumentException e) {
      return CheckResult.fail(name, "GET " + url + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CheckResult.fail(name, "GET " + url + " interrupted");
    }
  }
}
