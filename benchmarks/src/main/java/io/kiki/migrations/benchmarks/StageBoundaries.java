package io.kiki.migrations.benchmarks;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.e2e.sandbox.Sandbox;
import io.kiki.migrations.operator.job.Labels;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The time a rollout waits at a stage boundary: from a stage Job's completion (as a watch on the
 * Jobs sees the kubelet mark it succeeded) to the next stage's Job being created, per boundary
 * (plan -> backup, backup -> migrate) and over both, on the sandbox (its operator, its kubelet
 * running the real runner, its PostgreSQL), a rollout with a backup per run. Baseline: one status
 * write's round trip (PUT of the resource's status) on the same API server, so the figure reads as
 * how long the operator waits beyond one write. Also printed: resource created -> plan Job.
 */
final class StageBoundaries implements Figure {

  private static final String NAMESPACE = "bench-stages";
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @Override
  public String name() {
    return "stages";
  }

  @Override
  public String title() {
    return "stage Job complete -> next stage's Job created / one status PUT round trip";
  }

  @Override
  public String goal() {
    return "<= 100 ms median per boundary (issue 15 measured about 240 ms: 270 ms plan -> backup,"
        + " 264 ms backup -> migrate)";
  }

  @Override
  public List<Line> measure(Bench bench) throws Exception {
    Sandbox sandbox = bench.sandbox();
    KubernetesClient client = sandbox.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    client
        .persistentVolumeClaims()
        .inNamespace(NAMESPACE)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("kiki-backups")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("10Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
    // (resource name, stage) -> when the watch saw the Job created / succeeded
    Map<String, Long> created = new ConcurrentHashMap<>();
    Map<String, Long> completed = new ConcurrentHashMap<>();
    Samples applyToPlan = new Samples();
    Samples planToBackup = new Samples();
    Samples backupToMigrate = new Samples();
    Samples boundaries = new Samples();
    Samples statusPut = new Samples();
    try (Watch watch =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(NAMESPACE)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Job job) {
                    long at = System.nanoTime();
                    String key =
                        job.getMetadata().getOwnerReferences().get(0).getName()
                            + "/"
                            + job.getMetadata().getLabels().get(Labels.STAGE);
                    if (action == Action.ADDED) {
                      created.putIfAbsent(key, at);
                    } else if (job.getStatus() != null
                        && job.getStatus().getSucceeded() != null
                        && job.getStatus().getSucceeded() > 0) {
                      completed.putIfAbsent(key, at);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      for (int run = 0; run < bench.runs(); run++) {
        String name = "stages-" + run;
        long applied = rollout(client, sandbox, name);
        applyToPlan.addNanos(created.get(name + "/plan") - applied);
        long a = created.get(name + "/backup") - completed.get(name + "/plan");
        long b = created.get(name + "/migrate") - completed.get(name + "/backup");
        planToBackup.addNanos(a);
        backupToMigrate.addNanos(b);
        boundaries.addNanos(a);
        boundaries.addNanos(b);
        // The baseline: the status as it is, written back (a PUT of /status), as the operator
        // writes a stage's status; twice per run, one for each boundary.
        for (int write = 0; write < 2; write++) {
          DatabaseMigration current =
              client.resources(DatabaseMigration.class).inNamespace(NAMESPACE).withName(name).get();
          long start = System.nanoTime();
          client.resource(current).updateStatus();
          statusPut.addNanos(System.nanoTime() - start);
        }
      }
    }
    String baseline = "status PUT round trip (same API server)";
    return List.of(
        new Line("plan Job complete -> backup Job created", planToBackup, baseline, statusPut),
        new Line(
            "backup Job complete -> migrate Job created", backupToMigrate, baseline, statusPut),
        new Line("any stage boundary (both of each run)", boundaries, baseline, statusPut),
        new Line("resource created -> plan Job created", applyToPlan, baseline, statusPut));
  }

  /** Creates a resource with a backup and waits for Ready; returns when it was created. */
  private static long rollout(KubernetesClient client, Sandbox sandbox, String name)
      throws Exception {
    return SandboxRollouts.rollout(
            client,
            sandbox,
            NAMESPACE,
            name,
            "bench_" + name.replace('-', '_'),
            "  backup: {enabled: true, persistentVolumeClaim: kiki-backups}\n",
            Duration.ofMillis(20),
            TIMEOUT)
        .createdNanos();
  }
}
