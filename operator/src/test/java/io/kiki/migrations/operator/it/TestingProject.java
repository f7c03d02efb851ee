package io.kiki.migrations.operator.it;

import java.util.List;
import java.util.Set;

/**
 * The Alembic project a test image contains, as the sandbox kubelet's stand-in for the runner needs it: a linear
 * revision chain (oldest first), revisions whose downgrade() does nothing, and whether the project has two heads.
 */
public record TestingProject(List<String> revisions, Set<String> irreversible, boolean multipleHeads) {
  public static TestingProject linear(String... revisions) {
    return new TestingProject(List.of(revisions), Set.of(), false);
  }

  public TestingProject withIrreversible(String... revisions) {
    return new TestingProject(this.revisions, Set.of(revisions), multipleHeads);
  }

  public TestingProject withMultipleHeads() {
    return new TestingProject(revisions, irreversible, true);
  }

  public String head() {
    return revisions.get(revisions.size() - 1);
  }

  /** Position of a revision, -1 for base, null when the project does not know it. */
  public Integer index(String revision) {
    if (revision == null || revision.equals("base")) {
      return -1;
    }
    int i = revisions.indexOf(revision);
    return i < 0 ? null : i;
  }
}
