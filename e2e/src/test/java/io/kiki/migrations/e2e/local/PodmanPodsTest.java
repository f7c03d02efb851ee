package io.kiki.migrations.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet's volume ownership for fsGroup, as the container mode applies it to emptyDir and PVC directories. */
class PodmanPodsTest {

  @Test
  void fsGroupOwnsTheVolumeGroupWritableWithSetgidDirectories(@TempDir Path volume) throws Exception {
    Path dir = Files.createDirectories(volume.resolve("old"));
    Path file = Files.writeString(dir.resolve("kiki-base.dump"), "x");
    Files.setAttribute(volume, "unix:mode", 0755);
    Files.setAttribute(file, "unix:mode", 0600);

    PodmanPods.applyFsGroup(volume, 10001L);

    for (Path p : new Path[] {volume, dir, file}) {
      assertThat(Files.getAttribute(p, "unix:gid")).as(p.toString()).isEqualTo(10001);
    }
    assertThat((Integer) Files.getAttribute(volume, "unix:mode") & 07777).isEqualTo(02775);
    assertThat((Integer) Files.getAttribute(file, "unix:mode") & 07777).as("owner's bits kept, group read-write added").isEqualTo(0660);
  }

  @Test
  void withoutFsGroupNothingChanges(@TempDir Path volume) throws Exception {
    Files.setAttribute(volume, "unix:mode", 0755);
    int gid = (Integer) Files.getAttribute(volume, "unix:gid");

    PodmanPods.applyFsGroup(volume, null);

    assertThat((Integer) Files.getAttribute(volume, "unix:mode") & 07777).isEqualTo(0755);
    assertThat(Files.getAttribute(volume, "unix:gid")).isEqualTo(gid);
  }
}
