package io.kiki.migrations.e2e.support;

import io.kiki.migrations.e2e.cluster.ClusterUnavailableException;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import io.kiki.migrations.e2e.cluster.TestCluster;
import io.kiki.migrations.e2e.cluster.TestClusters;
import io.kiki.migrations.e2e.rbac.ApiRequest;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each scenario method a {@link Scenario}: a fresh namespace and database on the one {@link
 * TestCluster} this JVM shares between scenario classes (started on first use, closed when the test
 * run ends). When the selected cluster cannot run here, every scenario is skipped with the reason.
 *
 * <p>On {@code local}, the API server enforces the operator's RBAC from the install; after each
 * scenario, any request of the operator that it forbade during the scenario fails the scenario,
 * named: every scenario proves the install grants the operator what that rollout needs.
 */
public final class ScenarioExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(ScenarioExtension.class);
  private static final AtomicInteger DATABASES = new AtomicInteger();

  /**
   * Skips each scenario, cleanly (reported as skipped), when the selected cluster cannot run here.
   */
  @Override
  public void beforeEach(ExtensionContext context) {
    ClusterHolder holder = holder(context);
    Assumptions.assumeTrue(
        holder.cluster != null,
        () -> "skipped on cluster '" + TestClusters.selected() + "': " + holder.unavailable);
  }

  /**
   * Fails the scenario when the operator made a request its RBAC does not allow: on {@code local},
   * as the API server answered it (its audit log of the operator's ServiceAccount).
   */
  @Override
  public void afterEach(ExtensionContext context) {
    if (!(holder(context).cluster instanceof LocalCluster local)) {
      return;
    }
    List<ApiRequest> forbidden = local.operatorApiAudit().drainForbidden();
    if (!forbidden.isEmpty()) {
      throw new AssertionError(
          "the operator made "
              + forbidden.size()
              + " request(s) that its RBAC ("
              + LocalCluster.OPERATOR_USER
              + ", installed with `kubectl apply -k manifests/`) does not allow; the API "
              + "server answered 403 Forbidden:\n  "
              + forbidden.stream()
                  .map(ApiRequest::toString)
                  .distinct()
                  .collect(Collectors.joining("\n  ")));
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Scenario.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ClusterHolder holder = holder(context);
    Class<?> scenarioClass = context.getRequiredTestClass();
    String slug = slug(scenarioClass.getSimpleName().replaceFirst("E2E$", ""));
    String namespace =
        holder.cluster.createNamespace(slug.length() > 40 ? slug.substring(0, 40) : slug);
    String database = ("e2e_" + DATABASES.incrementAndGet() + "_" + slug.replace('-', '_'));
    return new Scenario(
        holder.cluster,
        scenarioClass,
        namespace,
        holder.cluster.createDatabase(
            database.length() > 60 ? database.substring(0, 60) : database));
  }

  private static ClusterHolder holder(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(ClusterHolder.class, k -> new ClusterHolder(), ClusterHolder.class);
  }

  /** HealthCheckFailureRollsBack -> health-check-failure-rolls-back */
  static String slug(String className) {
    return className.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static final class ClusterHolder implements ExtensionContext.Store.CloseableResource {
    private TestCluster cluster;
    private String unavailable;

    ClusterHolder() {
      try {
        cluster = TestClusters.start();
      } catch (ClusterUnavailableException e) {
        unavailable = e.getMessage();
      }
    }

    @Override
    public void close() {
      if (cluster != null) {
        cluster.close();
      }
    }
  }
}
