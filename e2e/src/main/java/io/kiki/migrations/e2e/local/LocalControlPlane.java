package io.kiki.migrations.e2e.local;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane on this machine: etcd, kube-apiserver and kube-controller-manager
 * from the binaries {@code scripts/build-control-plane.sh} builds, every address on loopback and on
 * free ports.
 *
 * <p>The API server runs RBAC, the default admission plugins (PodSecurity, ServiceAccount, ...)
 * plus OwnerReferencesPermissionEnforcement, serves a self-signed certificate from its cert dir,
 * authenticates the admin, the controller manager and the node agent with static tokens (the node
 * agent's RBAC allows pods and their status, never Jobs: {@code local/node-agent-rbac.yaml}) and
 * ServiceAccounts with tokens it signs itself (TokenRequest), and writes an audit log of the
 * requests of one user ({@link #auditLog()}). The controller manager runs only the controllers the
 * operator's Jobs need (Job, garbage collector, namespace, ServiceAccount, ttl-after-finished);
 * start it after the CRDs are installed ({@link #startControllerManager()}), so the garbage
 * collector knows them from its first discovery.
 *
 * <p>Every process is recorded by PID ({@link ProcessRegistry}) and stopped by {@link #close()}, by
 * a shutdown hook, or, after a crash, by the next start.
 */
public final class LocalControlPlane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalControlPlane.class);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  static final String CONTROLLERS =
      "job-controller,garbage-collector-controller,namespace-controller,"
          + "serviceaccount-controller,serviceaccount-token-controller,ttl-after-finished-controller";

  private final Path binaries;
  private final Path dir;
  private final ProcessRegistry processes;
  private final String adminToken = randomToken();
  private final String controllerManagerToken = randomToken();
  private final String nodeAgentToken = randomToken();
  private final Thread shutdownHook;
  private int apiServerPort;
  private Process etcd;
  private Process apiServer;
  private Process controllerManager;
  private boolean closed;

  private LocalControlPlane(Path binaries, Path dir, ProcessRegistry processes) {
    this.binaries = binaries;
    this.dir = dir;
    this.processes = processes;
    this.shutdownHook = new Thread(processes::stopAll, "kiki-control-plane-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts etcd and kube-apiserver and waits until the API server is ready.
   *
   * @param binaries the directory with etcd, kube-apiserver, kube-controller-manager and kubectl
   * @param dir where data, certificates, kubeconfigs and logs go
   * @param auditedUser whose requests go to the audit log (the operator's ServiceAccount user name)
   */
  public static LocalControlPlane start(Path binaries, Path dir, String auditedUser) {
    for (String binary : List.of("etcd", "kube-apiserver", "kube-controller-manager", "kubectl")) {
      if (!Files.isExecutable(binaries.resolve(binary))) {
        throw new IllegalStateException(
            "no " + binary + " in " + binaries + "; run scripts/build-control-plane.sh");
      }
    }
    ProcessRegistry registry = ProcessRegistry.open(runsRoot());
    LocalControlPlane plane = new LocalControlPlane(binaries, dir.toAbsolutePath(), registry);
    try {
      plane.startEtcdAndApiServer(auditedUser);
      return plane;
    } catch (RuntimeException | IOException e) {
      plane.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("starting the local control plane in " + dir, io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * Where runs record their PIDs: {@code $KIKI_CONTROL_PLANE_RUNS}, else {@code
   * ~/.cache/kiki-control-plane/runs}.
   */
  static Path runsRoot() {
    String configured = System.getenv("KIKI_CONTROL_PLANE_RUNS");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "kiki-control-plane", "runs");
  }

  private void startEtcdAndApiServer(String auditedUser) throws IOException {
    Path pki = dir.resolve("pki");
    Files.createDirectories(pki);
    Files.createDirectories(dir.resolve("logs"));
    writeServiceAccountKeys(pki);
    Files.writeString(
        dir.resolve("tokens.csv"),
        String.join(
                "\n",
                adminToken + ",kiki-admin,kiki-admin,\"system:masters\"",
                controllerManagerToken
                    + ",system:kube-controller-manager,kiki-kcm,\"system:masters\"",
                nodeAgentToken + ",system:node:" + NodeAgent.NODE_NAME + ",kiki-node-agent")
            + "\n");
    Files.writeString(
        dir.resolve("audit-policy.yaml"),
        """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
          - level: Metadata
            users: ["%s"]
          - level: None
        """
            .formatted(auditedUser));

    int etcdPort = freePort();
    int etcdPeerPort = freePort();
    String etcdUrl = "http://127.0.0.1:" + etcdPort;
    String peerUrl = "http://127.0.0.1:" + etcdPeerPort;
    etcd =
        launch(
            "etcd",
            List.of(
                "--name=kiki",
                "--data-dir=" + dir.resolve("etcd"),
                "--listen-client-urls=" + etcdUrl,
                "--advertise-client-urls=" + etcdUrl,
                "--listen-peer-urls=" + peerUrl,
                "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=kiki=" + peerUrl,
                "--unsafe-no-fsync=true",
                "--log-level=warn"));
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    awaitHttp200(plain, etcd, "etcd", URI.create(etcdUrl + "/health"), null);

    apiServerPort = freePort();
    apiServer =
        launch(
            "kube-apiserver",
            List.of(
                "--etcd-servers=" + etcdUrl,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + apiServerPort,
                "--endpoint-reconciler-type=none",
                "--cert-dir=" + pki,
                "--token-auth-file=" + dir.resolve("tokens.csv"),
                "--authorization-mode=RBAC",
                "--enable-admission-plugins=OwnerReferencesPermissionEnforcement",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-signing-key-file=" + pki.resolve("sa.key"),
                "--service-account-key-file=" + pki.resolve("sa.pub"),
                "--service-cluster-ip-range=10.0.0.0/24",
                // the node agent serves pods/log (NodeAgent's KubeletLogServer) on the node's
                // InternalIP
                "--kubelet-preferred-address-types=InternalIP",
                "--audit-policy-file=" + dir.resolve("audit-policy.yaml"),
                "--audit-log-path=" + auditLog(),
                "--audit-log-format=json",
                "--v=1"));
    Path certificate = pki.resolve("apiserver.crt");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!Files.exists(certificate) || Files.size(certificate) == 0) {
      checkAlive(apiServer, "kube-apiserver");
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "kube-apiserver wrote no "
                + certificate
                + " within "
                + START_TIMEOUT
                + "; see "
                + log("kube-apiserver"));
      }
      sleep(100);
    }
    HttpClient tls =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .sslContext(sslContext())
            .build();
    awaitHttp200(tls, apiServer, "kube-apiserver", URI.create(url() + "/readyz"), adminToken);
    writeKubeconfig(adminKubeconfig(), adminToken);
    writeKubeconfig(dir.resolve("kcm.kubeconfig"), controllerManagerToken);
    Path nodeAgentRbac = dir.resolve("node-agent-rbac.yaml");
    try (InputStream in =
        LocalControlPlane.class.getResourceAsStream("/local/node-agent-rbac.yaml")) {
      Files.write(nodeAgentRbac, in.readAllBytes());
    }
    kubectl("apply", "-f", nodeAgentRbac.toString());
  }

  /** Starts kube-controller-manager (after the CRDs are installed: see the class comment). */
  public void startControllerManager() {
    startControllerManager(List.of());
  }

  /**
   * Starts kube-controller-manager with {@link #CONTROLLERS} and {@code extraControllers} (the
   * container mode adds the Deployment and ReplicaSet controllers, which run the operator's
   * Deployment, and the publisher of {@code kube-root-ca.crt}, which its ServiceAccount token
   * volume needs).
   */
  public void startControllerManager(List<String> extraControllers) {
    if (controllerManager != null) {
      return;
    }
    Path pki = dir.resolve("pki");
    controllerManager =
        launch(
            "kube-controller-manager",
            List.of(
                "--kubeconfig=" + dir.resolve("kcm.kubeconfig"),
                "--leader-elect=false",
                "--secure-port=0",
                "--controllers="
                    + CONTROLLERS
                    + extraControllers.stream()
                        .map(c -> "," + c)
                        .collect(java.util.stream.Collectors.joining()),
                "--service-account-private-key-file=" + pki.resolve("sa.key"),
                "--root-ca-file=" + pki.resolve("apiserver.crt"),
                "--use-service-account-credentials=false",
                "--kube-api-qps=100",
                "--kube-api-burst=200",
                "--v=1"));
  }

  public int apiServerPort() {
    return apiServerPort;
  }

  public String url() {
    return "https://127.0.0.1:" + apiServerPort;
  }

  /** The CA bundle that verifies the API server's self-signed certificate. */
  public Path caCertificate() {
    return dir.resolve("pki").resolve("apiserver.crt");
  }

  /** A kubeconfig for the admin (system:masters), for kubectl. */
  public Path adminKubeconfig() {
    return dir.resolve("admin.kubeconfig");
  }

  public Path kubectl() {
    return binaries.resolve("kubectl");
  }

  public Path auditLog() {
    return dir.resolve("logs").resolve("audit.log");
  }

  public Path directory() {
    return dir;
  }

  public KubernetesClient adminClient() {
    return clientWithToken(adminToken);
  }

  /**
   * The node agent's client: its own user (system:node:NAME), so the API server's records tell it
   * apart.
   */
  public KubernetesClient nodeAgentClient() {
    return clientWithToken(nodeAgentToken);
  }

  /** A client authenticating with a bearer token (e.g. a ServiceAccount's from TokenRequest). */
  public KubernetesClient clientWithToken(String token) {
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url())
            .withCaCertFile(caCertificate().toString())
            .withOauthToken(token)
            .withRequestTimeout(30_000)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Runs the kubectl built with the control plane against it as the admin; fails with its output
   * when it fails.
   */
  public String kubectl(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(kubectl().toString(), "--kubeconfig", adminKubeconfig().toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new KubectlException(String.join(" ", command), output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException(
          String.join(" ", command) + " could not run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  /**
   * A kubectl command that failed; {@link #output()} is what it printed (e.g. the API server's
   * refusal).
   */
  public static final class KubectlException extends RuntimeException {
    private final String output;

    KubectlException(String command, String output) {
      super(command + " failed:\n" + output);
      this.output = output;
    }

    public String output() {
      return output;
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    processes.stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs (or ran) stopAll itself
    }
    // etcd's data (a 64 MB write-ahead log) is of no use afterwards; the logs stay for reading.
    try (Stream<Path> files =
        Files.exists(dir.resolve("etcd")) ? Files.walk(dir.resolve("etcd")) : Stream.empty()) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      LOG.warn("could not delete etcd's data in {}: {}", dir, e.getMessage());
    }
  }

  private Process launch(String binary, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(binaries.resolve(binary).toString());
    command.addAll(args);
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log(binary).toFile()))
              .start();
      processes.add(process, binaries.resolve(binary));
      process.getOutputStream().close();
      LOG.info("started {} (PID {}), log {}", binary, process.pid(), log(binary));
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("starting " + command, e);
    }
  }

  /**
   * Records a process started for this cluster (e.g. a container the node agent runs), so that it
   * is stopped with the control plane, also after a crash.
   */
  public void record(Process process) {
    process.info().command().ifPresent(command -> processes.add(process, Path.of(command)));
  }

  public Path log(String binary) {
    return dir.resolve("logs").resolve(binary + ".log");
  }

  private void checkAlive(Process process, String name) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name
              + " exited with code "
              + process.exitValue()
              + "; the end of "
              + log(name)
              + ":\n"
              + tail(log(name)));
    }
  }

  private void awaitHttp200(HttpClient http, Process process, String name, URI uri, String token) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      checkAlive(process, name);
      try {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
        if (token != null) {
          request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
      sleep(200);
    }
    throw new IllegalStateException(
        name
            + " was not ready at "
            + uri
            + " within "
            + START_TIMEOUT
            + " (last: "
            + last
            + "); see "
            + log(name));
  }

  private SSLContext sslContext() {
    try (InputStream in = Files.newInputStream(caCertificate())) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("reading the API server's certificate " + caCertificate(), e);
    }
  }

  private void writeKubeconfig(Path file, String token) throws IOException {
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: kiki-local
            cluster:
              server: %s
              certificate-authority: %s
        users:
          - name: kiki-local
            user:
              token: %s
        contexts:
          - name: kiki-local
            context: {cluster: kiki-local, user: kiki-local}
        current-context: kiki-local
        """
            .formatted(url(), caCertificate(), token));
  }

  /**
   * The ServiceAccount token signing key (PKCS#8) and its public key (X.509 SubjectPublicKeyInfo),
   * as PEM.
   */
  private static void writeServiceAccountKeys(Path pki) throws IOException {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      Files.writeString(pki.resolve("sa.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      Files.writeString(pki.resolve("sa.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static String randomToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("finding a free port", e);
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(cannot read: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
