package io.kiki.migrations.e2e.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.e2e.Repository;
import io.kiki.migrations.e2e.cluster.LocalCluster;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox as a program: a throwaway cluster on this machine (mock API, the operator, a local
 * kubelet, a throwaway PostgreSQL) that applies resources and prints each rollout's phases as they
 * happen.
 *
 * <pre>
 * scripts/sandbox.sh                                   the KIKI sample, until Ctrl-C
 * scripts/sandbox.sh --apply FILE... [--image NAME=DIR]... [--until-settled] [--timeout 10m]
 * </pre>
 *
 * With {@code --until-settled} it exits once every DatabaseMigration is Ready, Failed, RolledBack
 * or Blocked at its generation, printing their statuses as a JSON array on stdout (phases then go
 * to stderr): exit code 0 when all are Ready, 1 when any is not, 2 on timeout, 64 on bad arguments.
 */
public final class SandboxMain {

  static final int EXIT_NOT_READY = 1;
  static final int EXIT_TIMEOUT = 2;
  static final int EXIT_USAGE = 64;

  /**
   * The usage, from sandbox/usage.txt: scripts/sandbox.sh prints the same file for --help without
   * building first.
   */
  static final String USAGE = usage();

  private SandboxMain() {}

  private static String usage() {
    try (var in = SandboxMain.class.getResourceAsStream("/sandbox/usage.txt")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException | NullPointerException e) {
      throw new IllegalStateException("sandbox/usage.txt is missing from the classpath", e);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("sandbox: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    if (options.help) {
      System.out.print(USAGE);
      return;
    }
    Path repo = Repository.root();
    Path workDir =
        options.workDir != null
            ? options.workDir
            : repo.resolve("sandbox-work")
                .resolve(
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Files.createDirectories(workDir);
    Path log = workDir.resolve("sandbox.log");
    // Before the first logger exists: everything logged goes to the run's log file, not the
    // terminal.
    System.setProperty("kiki.sandbox.log", log.toString());
    System.setProperty("logback.configurationFile", "sandbox-logback.xml");
    System.exit(run(options, repo, workDir.toAbsolutePath(), log, System.out, System.err));
  }

  /**
   * Runs the sandbox; returns the exit code (only with --until-settled; otherwise runs until
   * interrupted).
   */
  static int run(
      Options options, Path repo, Path workDir, Path log, PrintStream out, PrintStream err)
      throws Exception {
    ImageMappings images = new ImageMappings(repo.resolve("migrations-image"));
    try {
      options.images.forEach(images::add);
    } catch (IllegalArgumentException e) {
      err.println("sandbox: " + e.getMessage());
      return EXIT_USAGE;
    }
    List<String> problems = new ArrayList<>();
    for (Path file : options.files) {
      problems.addAll(ManifestCheck.problems(file.toString(), Files.readString(file)));
    }
    if (!problems.isEmpty()) {
      problems.forEach(problem -> err.println("sandbox: " + problem));
      return EXIT_USAGE;
    }
    PrintStream phases = options.untilSettled ? err : out;
    try (ProgramCluster cluster =
        options.local
            ? startLocal(repo, workDir, images, log, err)
            : startSandbox(repo, workDir, images, log, err)) {
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "sandbox-shutdown"));
      SandboxApplier applier =
          new SandboxApplier(cluster.client(), cluster.postgres(), images, err);
      try (PhasePrinter printer = new PhasePrinter(cluster.client(), phases)) {
        List<HasMetadata> resources = new ArrayList<>();
        if (options.files.isEmpty()) {
          try (InputStream sample =
              SandboxMain.class.getResourceAsStream("/sandbox/kiki-sample.yaml")) {
            resources.addAll(
                applier.load(
                    "the KIKI sample", new String(sample.readAllBytes(), StandardCharsets.UTF_8)));
          }
        }
        for (Path file : options.files) {
          resources.addAll(applier.load(file.toString(), Files.readString(file)));
        }
        List<DatabaseMigration> applied = applier.apply(resources);
        if (applied.isEmpty()) {
          err.println("sandbox: WARNING no DatabaseMigration applied; nothing will happen");
        }
        err.println(
            "sandbox: applied "
                + applied.size()
                + " DatabaseMigration(s); phases follow"
                + (options.untilSettled ? "" : " (Ctrl-C to stop)"));
        err.println("sandbox: " + InProcessOperator.timingsNote());
        if (!options.untilSettled) {
          new CountDownLatch(1).await();
          return 0;
        }
        return awaitSettled(cluster.client(), printer, applied, options.timeout, out, err);
      }
    }
  }

  /**
   * What the program needs of a cluster: a client with every right, the PostgreSQL server, and a
   * way to stop it all.
   */
  private record ProgramCluster(
      KubernetesClient client, LocalPostgres postgres, AutoCloseable cluster)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        cluster.close();
      } catch (Exception e) {
        throw new IllegalStateException("stopping the cluster", e);
      }
    }
  }

  private static ProgramCluster startSandbox(
      Path repo, Path workDir, ImageMappings images, Path log, PrintStream err) throws Exception {
    err.println("sandbox: starting (API server, operator, kubelet, PostgreSQL); logs in " + log);
    Sandbox sandbox = Sandbox.start(repo, workDir, images);
    err.println(
        "sandbox: API server "
            + sandbox.apiServerUrl()
            + ", PostgreSQL "
            + sandbox.postgres().server()
            + ", pod logs and volumes under "
            + workDir.resolve("kubelet"));
    err.println(
        "sandbox: operator metrics "
            + sandbox.metricsUrl()
            + " (also /healthz, /readyz); the mock API server "
            + "authorizes nothing and validates nothing (--cluster local does both)");
    return new ProgramCluster(sandbox.client(), sandbox.postgres(), sandbox);
  }

  /**
   * The local control plane; its admin kubeconfig is copied to {@code <work dir>/kubeconfig} for
   * kubectl.
   */
  private static ProgramCluster startLocal(
      Path repo, Path workDir, ImageMappings images, Path log, PrintStream err) throws Exception {
    err.println(
        "sandbox: starting the local control plane (etcd, kube-apiserver, kube-controller-manager), the install "
            + "(kubectl apply -k manifests/), the operator, the node agent and PostgreSQL; logs in "
            + log);
    LocalCluster cluster = LocalCluster.start(repo, workDir, images);
    Path kubeconfig = workDir.resolve("kubeconfig");
    Files.copy(
        cluster.controlPlane().adminKubeconfig(), kubeconfig, StandardCopyOption.REPLACE_EXISTING);
    err.println(
        "sandbox: kubeconfig "
            + kubeconfig
            + "  (e.g. kubectl --kubeconfig "
            + kubeconfig
            + " get dbm -A)");
    err.println(
        "sandbox: API server "
            + cluster.controlPlane().url()
            + " (Kubernetes "
            + cluster.client().getKubernetesVersion().getGitVersion()
            + ", started in "
            + cluster.startupTime().toMillis()
            + " ms), PostgreSQL "
            + cluster.postgres().server()
            + ", control plane logs under "
            + cluster.controlPlane().directory().resolve("logs")
            + ", pod logs and volumes under "
            + workDir.resolve("node"));
    err.println(
        "sandbox: operator metrics "
            + cluster.operatorHttpBase().orElseThrow()
            + "/metrics; the operator runs as "
            + LocalCluster.OPERATOR_USER
            + " (its ServiceAccount's token), RBAC enforced by the API server");
    return new ProgramCluster(cluster.client(), cluster.postgres(), cluster);
  }

  /**
   * Waits until every applied resource is terminal at its generation; prints their statuses as
   * JSON.
   */
  private static int awaitSettled(
      KubernetesClient client,
      PhasePrinter printer,
      List<DatabaseMigration> applied,
      Duration timeout,
      PrintStream out,
      PrintStream err)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<DatabaseMigration> current;
    boolean settled;
    do {
      Thread.sleep(500);
      current = new ArrayList<>();
      for (DatabaseMigration dbm : applied) {
        current.add(
            client
                .resources(DatabaseMigration.class)
                .inNamespace(dbm.getMetadata().getNamespace())
                .withName(dbm.getMetadata().getName())
                .get());
      }
      settled = current.stream().allMatch(d -> isSettled(d) && printer.printed(d));
    } while (!settled && System.nanoTime() < deadline);

    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ArrayNode statuses = json.createArrayNode();
    for (DatabaseMigration dbm : current) {
      ObjectNode entry = statuses.addObject();
      entry.put("namespace", dbm.getMetadata().getNamespace());
      entry.put("name", dbm.getMetadata().getName());
      entry.put("generation", dbm.getMetadata().getGeneration());
      entry.set(
          "status",
          json.valueToTree(
              client.getKubernetesSerialization().convertValue(dbm.getStatus(), Object.class)));
    }
    out.println(json.writeValueAsString(statuses));
    out.flush();
    if (!settled) {
      err.println("sandbox: not settled within " + timeout);
      return EXIT_TIMEOUT;
    }
    boolean allReady = current.stream().allMatch(d -> d.getStatus().getPhase() == Phase.Ready);
    err.println("sandbox: settled; " + (allReady ? "all Ready" : "not all Ready"));
    for (DatabaseMigration dbm : current) {
      if (dbm.getStatus().getPhase() != Phase.Ready) {
        Condition stalled = stalled(dbm);
        err.println(
            "sandbox: "
                + dbm.getMetadata().getNamespace()
                + "/"
                + dbm.getMetadata().getName()
                + ": "
                + dbm.getStatus().getPhase()
                + (stalled == null ? "" : " (Stalled: " + stalled.getReason() + ")")
                + ": "
                + dbm.getStatus().getMessage());
      }
    }
    return allReady ? 0 : EXIT_NOT_READY;
  }

  /**
   * Terminal at its generation, or Stalled=True at its generation (a missing Secret key, an invalid
   * URL: the operator keeps rechecking, but nothing changes until a person does something), as
   * kstatus and Flux read it.
   */
  static boolean isSettled(DatabaseMigration dbm) {
    if (dbm == null || dbm.getStatus() == null || dbm.getStatus().getPhase() == null) {
      return false;
    }
    long generation = dbm.getMetadata().getGeneration();
    boolean terminal =
        dbm.getStatus().getPhase().isTerminal()
            && dbm.getStatus().getObservedGeneration() != null
            && dbm.getStatus().getObservedGeneration() >= generation;
    Condition stalled = stalled(dbm);
    return terminal
        || stalled != null
            && stalled.getObservedGeneration() != null
            && stalled.getObservedGeneration() >= generation;
  }

  private static Condition stalled(DatabaseMigration dbm) {
    return dbm.getStatus().getConditions() == null
        ? null
        : dbm.getStatus().getConditions().stream()
            .filter(c -> "Stalled".equals(c.getType()) && "True".equals(c.getStatus()))
            .findFirst()
            .orElse(null);
  }

  /** Command-line options. */
  static final class Options {
    final List<Path> files = new ArrayList<>();
    final List<String> images = new ArrayList<>();
    boolean untilSettled;
    boolean help;
    boolean local;
    Duration timeout = Duration.ofMinutes(10);
    Path workDir;

    static Options parse(String[] args) {
      Options options = new Options();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--apply" -> {
            int before = options.files.size();
            while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
              Path file = Path.of(args[++i]);
              if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("--apply: cannot read " + file);
              }
              options.files.add(file);
            }
            if (options.files.size() == before) {
              throw new IllegalArgumentException("--apply needs at least one FILE");
            }
          }
          case "--image" -> options.images.add(value(args, ++i, "--image", "NAME=DIR"));
          case "--until-settled" -> options.untilSettled = true;
          case "--cluster" -> {
            String cluster = value(args, ++i, "--cluster", "sandbox or local");
            if (!cluster.equals("sandbox") && !cluster.equals("local")) {
              throw new IllegalArgumentException(
                  "--cluster: sandbox (the mock API server) or local (a real control plane), not "
                      + cluster);
            }
            options.local = cluster.equals("local");
          }
          case "--timeout" -> options.timeout = duration(value(args, ++i, "--timeout", "DURATION"));
          case "--work-dir" -> options.workDir = Path.of(value(args, ++i, "--work-dir", "DIR"));
          case "--help", "-h" -> options.help = true;
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      return options;
    }

    private static String value(String[] args, int i, String option, String what) {
      if (i >= args.length || args[i].startsWith("--")) {
        throw new IllegalArgumentException(option + " needs " + what);
      }
      return args[i];
    }

    static Duration duration(String text) {
      var m = java.util.regex.Pattern.compile("(\\d+)(s|m|h)").matcher(text.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("--timeout: expected e.g. 90s, 10m or 1h, got " + text);
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
  }
}
