package io.kiki.migrations.operator.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.operator.TestingResources;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScratchDatabasesTest {

  private static DatabaseMigration named(String namespace, String name) {
    DatabaseMigration resource = TestingResources.resource();
    resource.getMetadata().setNamespace(namespace);
    resource.getMetadata().setName(name);
    return resource;
  }

  @Test
  void aNameSaysWhoseItIsAndWhichRollout() {
    String name = ScratchDatabases.name(named("kiki", "kiki-campaigns"), "7");

    assertThat(name).matches("kiki_rh_kiki_campaigns_[0-9a-f]{8}_7");
    assertThat(name).startsWith(ScratchDatabases.prefix(named("kiki", "kiki-campaigns")));
  }

  @Test
  void theLongestResourceNameAndRolloutIdStillFit63Bytes() {
    DatabaseMigration resource = named("kiki", "k".repeat(DatabaseMigration.MAX_NAME_LENGTH));
    String name = ScratchDatabases.name(resource, "12345678901234567890-3");

    assertThat(name.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(ScratchDatabases.MAX_NAME_BYTES);
    assertThat(name).startsWith(ScratchDatabases.prefix(resource)).matches("[a-z0-9_]+");
  }

  @Test
  void resourcesOfTheSameNameInTwoNamespacesHaveTheirOwnPrefix() {
    assertThat(ScratchDatabases.prefix(named("team-a", "orders")))
        .isNotEqualTo(ScratchDatabases.prefix(named("team-b", "orders")));
  }

  @Test
  void oneResourcesPrefixDoesNotCoverAnotherWhoseNameStartsTheSame() {
    String kiki = ScratchDatabases.prefix(named("kiki", "kiki"));

    assertThat(ScratchDatabases.name(named("kiki", "kiki-campaigns"), "1")).doesNotStartWith(kiki);
  }

  @Test
  void onlyScratchNamesAreEverDropped() {
    ScratchDatabases scratch = new ScratchDatabases(null, java.time.Duration.ofSeconds(1));

    assertThatThrownBy(() -> scratch.drop(null, "kiki_production"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> scratch.drop(null, "kiki_rh_x\"; DROP DATABASE kiki; --"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
