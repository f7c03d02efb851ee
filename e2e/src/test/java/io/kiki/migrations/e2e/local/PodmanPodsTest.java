package io.kiki.migrations.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubelet's volume ownership for fsGroup, as the container mode applies it to emptyDir and PVC
 * directories.
 */
class PodmanPodsTest {

  @Test
  void fsGroupOwnsTheVolumeGroupWritableWithSetgidDirectories(@TempDir Path volume)
      throws Exception {
    Path dir = Files.createDirectories(volume.resolve("old"));
    Path file = Files.writeString(dir.resolve("kiki-base.dump"), "x");
    Files.setAttribute(volume, "unix:mode", 0755);
    Files.setAttribute(file, "unix:mode", 0600);

    PodmanPods.applyFsGroup(volume, 10001L);

    for (Path p : new Path[] {volume, dir, file}) {
      assertThat(Files.getAttribute(p, "unix:gid")).as(p.toString()).isEqualTo(10001);
    }
    assertThat((Integer) Files.getAttribute(volume, "unix:mode") & 07777).isEqualTo(02775);
    assertThat((Integer) Files.getAttribute(file, "unix:mode") & 07777)
        .as("owner's bits kept, group read-write added")
        .isEqualTo(0660);
  }

  @Test
  void withoutFsGroupNothingChanges(@TempDir Path volume) throws Exception {
    Files.setAttribute(volume, "unix:mode", 0755);
    int gid = (Integer) Files.getAttribute(volume, "unix:gid");

    PodmanPods.applyFsGroup(volume, null);

    assertThat((Integer) Files.getAttribute(volume, "unix:mode") & 07777).isEqualTo(0755);
    assertThat(Files.getAttribute(volume, "unix:gid")).isEqualTo(gid);
  }

  @Test
  void containersOfADeadAgentAreRemovedAndALiveOnesKept() throws Exception {
    Path conf =
        Path.of(System.getProperty("kiki.e2e.repo", "..")).resolve("e2e/images/containers.conf");
    String base = "localhost/kiki-base/debian:bookworm";
    assumeThat(podman(conf, "image", "exists", base).exit())
        .as("podman with the Debian base of scripts/build-images.sh")
        .isZero();
    PodmanPods pods = new PodmanPods(null, null, conf, "127.0.0.1", 0);
    String dead =
        podman(conf, "create", "--label", PodmanPods.OWNER_LABEL + "=1@0", base, "true")
            .output()
            .strip();
    String live =
        podman(
                conf,
                "create",
                "--label",
                PodmanPods.OWNER_LABEL
                    + "="
                    + ProcessHandle.current().pid()
                    + "@"
                    + ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli(),
                base,
                "true")
            .output()
            .strip();
    try {
      pods.removeOrphans();
      assertThat(podman(conf, "container", "exists", dead).exit())
          .as("the dead JVM's container")
          .isEqualTo(1);
      assertThat(podman(conf, "container", "exists", live).exit())
          .as("this JVM's container")
          .isZero();
    } finally {
      podman(conf, "rm", "--force", dead);
      podman(conf, "rm", "--force", live);
    }
  }

  private record Run(int exit, String output) {}

  private static Run podman(Path conf, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("podman", "--runtime", "runc"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("CONTAINERS_CONF", conf.toString());
    Process p;
    try {
      p = builder.start();
    } catch (java.io.IOException e) {
      return new Run(127, e.getMessage());
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }
}
