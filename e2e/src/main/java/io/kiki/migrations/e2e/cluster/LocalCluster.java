package io.kiki.migrations.e2e.cluster;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.e2e.local.AuditLogReader;
import io.kiki.migrations.e2e.local.LocalControlPlane;
import io.kiki.migrations.e2e.local.NodeAgent;
import io.kiki.migrations.e2e.rbac.ApiAudit;
import io.kiki.migrations.e2e.sandbox.ImageMappings;
import io.kiki.migrations.e2e.sandbox.InProcessOperator;
import io.kiki.migrations.e2e.sandbox.LocalPostgres;
import io.kiki.migrations.e2e.sandbox.LogCapture;
import io.kiki.migrations.e2e.sandbox.PostgresUrl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local} cluster, the proof: a real control plane on this machine ({@link
 * LocalControlPlane}: etcd, kube-apiserver, kube-controller-manager of Kubernetes 1.34), the
 * operator installed as a platform team does ({@code kubectl apply -k manifests/}), the operator
 * running in this JVM with its ServiceAccount's token (from TokenRequest), so the API server
 * enforces the ClusterRole of {@code manifests/}, a {@link NodeAgent} that runs the Jobs' pods as
 * local processes, and a throwaway PostgreSQL. Scenario namespaces enforce Pod Security {@code
 * restricted}.
 *
 * <p>In process mode (the default) the Deployment of {@code manifests/} is applied too (so a broken
 * one fails the install) but not run: the controller manager runs no Deployment controller. Tests
 * stop and start the in-process operator instead. In container mode ({@code
 * -Dkiki.e2e.nodeAgent=container}) the node agent runs pods from their images and the Deployment
 * runs the operator image; tests scale it to stop and start the operator.
 */
public final class LocalCluster implements TestCluster {
  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  public static final String OPERATOR_NAMESPACE = DeployedCluster.OPERATOR_NAMESPACE;
  public static final String OPERATOR_SERVICE_ACCOUNT = "kiki-migrations-operator";
  public static final String OPERATOR_DEPLOYMENT = "kiki-migrations-operator";
  public static final String OPERATOR_USER =
      "system:serviceaccount:" + OPERATOR_NAMESPACE + ":" + OPERATOR_SERVICE_ACCOUNT;
  private static final long TOKEN_SECONDS = Duration.ofHours(24).toSeconds();
  private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(2);

  private final LocalControlPlane plane;
  private final KubernetesClient admin;
  private final NodeAgent nodeAgent;
  private final KubernetesClient nodeAgentClient;
  private final ImageMappings images;
  private final LocalPostgres postgres;
  private final LogCapture logs;
  private final AuditLogReader audit;

  /**
   * Process mode: the operator in this JVM; null in container mode, where the Deployment's pod runs
   * it.
   */
  private final InProcessOperator operator;

  /**
   * Container mode: the port the operator pod serves /metrics, /readyz on (host network); 0 in
   * process mode.
   */
  private final int operatorPodPort;

  private final Duration startup;
  private final AtomicInteger namespaces = new AtomicInteger();
  private boolean closed;

  private LocalCluster(
      LocalControlPlane plane,
      KubernetesClient admin,
      NodeAgent nodeAgent,
      KubernetesClient nodeAgentClient,
      ImageMappings images,
      LocalPostgres postgres,
      LogCapture logs,
      Duration startup,
      int operatorPodPort) {
    this.plane = plane;
    this.admin = admin;
    this.nodeAgent = nodeAgent;
    this.nodeAgentClient = nodeAgentClient;
    this.images = images;
    this.postgres = postgres;
    this.logs = logs;
    this.startup = startup;
    this.audit = new AuditLogReader(plane.auditLog());
    this.operatorPodPort = operatorPodPort;
    this.operator =
        operatorPodPort != 0
            ? null
            : new InProcessOperator(() -> plane.clientWithToken(operatorToken()));
  }

  public static LocalCluster start(Path repo) {
    try {
      return start(
          repo,
          Files.createTempDirectory("kiki-e2e-local-"),
          new ImageMappings(repo.resolve("migrations-image")),
          NodeAgent.Mode.selected());
    } catch (IOException e) {
      throw new UncheckedIOException("creating the local cluster's work directory", e);
    }
  }

  /**
   * Starts control plane, install, node agent, PostgreSQL and the operator; prints the startup time
   * to the log.
   */
  public static LocalCluster start(Path repo, Path workDir, ImageMappings images) {
    return start(repo, workDir, images, NodeAgent.Mode.PROCESS);
  }

  /**
   * As {@link #start(Path, Path, ImageMappings)}, with the node agent in {@code mode}. In container
   * mode the images are built first ({@link ContainerImages}), pods run from their images, and the
   * operator is not run in this JVM: the install's Deployment runs it from its image (the
   * Deployment and ReplicaSet controllers run), serving its endpoints on a free port of this host
   * (KIKI_METRICS_PORT set on the Deployment, as an overlay would).
   */
  public static LocalCluster start(
      Path repo, Path workDir, ImageMappings images, NodeAgent.Mode mode) {
    boolean containers = mode == NodeAgent.Mode.CONTAINER;
    if (containers) {
      ContainerImages.build(repo);
    }
    Path binaries = ControlPlaneBinaries.locate(repo);
    LogCapture logs = LogCapture.attach();
    long started = System.nanoTime();
    LocalControlPlane plane =
        LocalControlPlane.start(binaries, workDir.resolve("control-plane"), OPERATOR_USER);
    KubernetesClient admin = null;
    NodeAgent nodeAgent = null;
    KubernetesClient nodeAgentClient = null;
    LocalPostgres postgres = null;
    try {
      // The install, as a platform team does it; the CRD before the controller manager (see
      // LocalControlPlane).
      plane.kubectl("apply", "-k", repo.resolve("manifests").toString());
      plane.kubectl(
          "wait",
          "--for=condition=Established",
          "--timeout=60s",
          "crd/databasemigrations.migrations.kiki.io");
      int operatorPodPort = 0;
      if (containers) {
        operatorPodPort = LocalControlPlane.freePort();
        plane.kubectl(
            "-n",
            OPERATOR_NAMESPACE,
            "set",
            "env",
            "deployment/" + OPERATOR_DEPLOYMENT,
            "KIKI_METRICS_PORT=" + operatorPodPort);
        plane.startControllerManager(
            List.of(
                "deployment-controller",
                "replicaset-controller",
                "root-ca-certificate-publisher-controller"));
      } else {
        plane.startControllerManager();
      }
      admin = plane.adminClient();
      awaitDefaultServiceAccount(admin, "default");
      Duration startup = Duration.ofNanos(System.nanoTime() - started);
      LOG.info(
          "local control plane ready in {} ms: Kubernetes {} at {}, logs in {}",
          startup.toMillis(),
          admin.getKubernetesVersion().getGitVersion(),
          plane.url(),
          plane.directory().resolve("logs"));
      nodeAgentClient = plane.nodeAgentClient();
      Path runner = repo.resolve("migrations-image/bin/kiki-migrate");
      nodeAgent =
          containers
              ? NodeAgent.inContainers(
                  nodeAgentClient,
                  images,
                  runner,
                  workDir.resolve("node"),
                  new NodeAgent.ContainerRuntimeSettings(
                      ContainerImages.containersConf(repo), "127.0.0.1", plane.apiServerPort()))
              : new NodeAgent(
                  nodeAgentClient, images, runner, workDir.resolve("node"), plane::record);
      nodeAgent.start();
      postgres = LocalPostgres.fromEnvironmentOrStart(repo);
      LocalCluster cluster =
          new LocalCluster(
              plane,
              admin,
              nodeAgent,
              nodeAgentClient,
              images,
              postgres,
              logs,
              startup,
              operatorPodPort);
      cluster.startOperator();
      return cluster;
    } catch (IOException | RuntimeException e) {
      if (nodeAgent != null) {
        nodeAgent.close();
      }
      if (nodeAgentClient != null) {
        nodeAgentClient.close();
      }
      if (admin != null) {
        admin.close();
      }
      try {
        if (postgres != null) {
          postgres.close();
        }
      } catch (IOException ignored) {
        // reported with the original failure below
      }
      plane.close();
      logs.detach();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("starting the local cluster", io);
      }
      throw (RuntimeException) e;
    }
  }

  public NodeAgent.Mode nodeAgentMode() {
    return nodeAgent.mode();
  }

  public LocalControlPlane controlPlane() {
    return plane;
  }

  /**
   * From starting etcd to a ready API server with the install applied and the controller manager
   * up.
   */
  public Duration startupTime() {
    return startup;
  }

  /** The operator's requests as the API server's audit log recorded them (read up to now). */
  public ApiAudit operatorApiAudit() {
    return audit.sync();
  }

  public LocalPostgres postgres() {
    return postgres;
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public KubernetesClient client() {
    return admin;
  }

  /**
   * A namespace under Pod Security {@code restricted}, once its {@code default} ServiceAccount
   * exists.
   */
  @Override
  public String createNamespace(String prefix) {
    String name = prefix + "-" + namespaces.incrementAndGet();
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .endMetadata()
                .build())
        .create();
    awaitDefaultServiceAccount(admin, name);
    return name;
  }

  /**
   * The ServiceAccount admission plugin refuses pods until the controller manager made the
   * namespace's {@code default}.
   */
  private static void awaitDefaultServiceAccount(KubernetesClient client, String namespace) {
    client
        .serviceAccounts()
        .inNamespace(namespace)
        .withName("default")
        .waitUntilCondition(sa -> sa != null, SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Override
  public TestDatabase createDatabase(String name) {
    try {
      PostgresUrl url = postgres.createDatabase(name);
      return new TestDatabase(name, url.sqlalchemyUrl(), url);
    } catch (SQLException e) {
      throw new IllegalStateException("creating database " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String provideImage(String image, Path projectDir) {
    if (nodeAgent.mode() == NodeAgent.Mode.CONTAINER) {
      throw new UnsupportedOperationException(
          "the container mode runs real images; build "
              + image
              + " with podman "
              + "(scripts/build-example-images.sh shows how) instead of mapping "
              + projectDir);
    }
    images.add(image, projectDir);
    return image;
  }

  /** The operator's identity: a token of its ServiceAccount from the API server (TokenRequest). */
  private String operatorToken() {
    return admin
        .serviceAccounts()
        .inNamespace(OPERATOR_NAMESPACE)
        .withName(OPERATOR_SERVICE_ACCOUNT)
        .tokenRequest(
            new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(TOKEN_SECONDS)
                .endSpec()
                .build())
        .getStatus()
        .getToken();
  }

  @Override
  public void stopOperator() {
    if (operator != null) {
      operator.stop();
      return;
    }
    admin
        .apps()
        .deployments()
        .inNamespace(OPERATOR_NAMESPACE)
        .withName(OPERATOR_DEPLOYMENT)
        .scale(0);
    await("the operator's pods gone", () -> operatorPods().isEmpty());
  }

  /** Container mode: scales the Deployment to one and waits for its pod's /readyz to answer 200. */
  @Override
  public void startOperator() {
    if (operator != null) {
      operator.start();
      return;
    }
    admin
        .apps()
        .deployments()
        .inNamespace(OPERATOR_NAMESPACE)
        .withName(OPERATOR_DEPLOYMENT)
        .scale(1);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI readyz = URI.create(operatorHttpBase().orElseThrow() + "/readyz");
    await(
        "the operator pod's /readyz answering 200 (its log: " + workDirHint() + ")",
        () -> {
          try {
            return http.send(
                        HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding())
                    .statusCode()
                == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
  }

  /** The pods of the operator's Deployment (container mode). */
  public List<Pod> operatorPods() {
    return admin
        .pods()
        .inNamespace(OPERATOR_NAMESPACE)
        .withLabel("app.kubernetes.io/name", OPERATOR_DEPLOYMENT)
        .list()
        .getItems();
  }

  private String workDirHint() {
    try {
      return nodeAgent.allPodLogs().stream()
          .filter(p -> p.toString().contains(OPERATOR_NAMESPACE))
          .map(Path::toString)
          .reduce((a, b) -> a + ", " + b)
          .orElse("none yet");
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out after " + SETUP_TIMEOUT.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }

  @Override
  public Optional<String> operatorHttpBase() {
    return Optional.of(
        "http://127.0.0.1:" + (operator != null ? operator.metricsPort() : operatorPodPort));
  }

  /** Log lines of this JVM (operator, node agent, clients), then every container log. */
  @Override
  public List<String> logLines() {
    List<String> lines = new ArrayList<>(logs.lines());
    try {
      for (Path log : nodeAgent.allPodLogs()) {
        lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading pod logs", e);
    }
    return lines;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (operator != null) {
        operator.close();
      }
    } finally {
      nodeAgent.close();
      nodeAgentClient.close();
      admin.close();
      plane.close();
      logs.detach();
      try {
        postgres.close();
      } catch (IOException e) {
        LOG.warn("stopping PostgreSQL: {}", e.getMessage());
      }
    }
  }
}
