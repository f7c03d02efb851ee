package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.kiki.migrations.e2e.Repository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/sandbox.sh --help prints the program's usage without building: run here in a checkout
 * that has only the script and the usage file (no pom.xml, so a build could not even start), it
 * prints the usage and writes no sandbox-work/.
 */
class SandboxHelpTest {

  @TempDir Path checkout;

  @Test
  void helpPrintsTheUsageWithoutBuildingOrWriting() throws Exception {
    Path repo = Repository.root();
    Path usage = Path.of("e2e/src/main/resources/sandbox/usage.txt");
    Files.createDirectories(checkout.resolve("scripts"));
    Files.createDirectories(checkout.resolve(usage).getParent());
    Files.copy(repo.resolve("scripts/sandbox.sh"), checkout.resolve("scripts/sandbox.sh"));
    Files.copy(repo.resolve(usage), checkout.resolve(usage));

    for (String flag : new String[] {"--help", "-h"}) {
      Process process =
          new ProcessBuilder("bash", checkout.resolve("scripts/sandbox.sh").toString(), flag)
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output).isEqualTo(SandboxMain.USAGE);
      assertThat(checkout.resolve("sandbox-work")).doesNotExist();
    }
  }
}
