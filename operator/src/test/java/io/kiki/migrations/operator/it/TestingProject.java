package io.kiki.migrations.operator.it;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Alembic project a test image contains, as the sandbox kubelet's stand-in for the runner needs
 * it: a linear revision chain (oldest first), revisions whose downgrade() does nothing, whether the
 * project has two heads, and the lint rule each revision's upgrade SQL breaks (what the runner's
 * plan would report).
 */
public record TestingProject(
    List<String> revisions,
    Set<String> irreversible,
    boolean multipleHeads,
    Map<String, String> lintFindings) {
  public static TestingProject linear(String... revisions) {
    return new TestingProject(List.of(revisions), Set.of(), false, Map.of());
  }

  public TestingProject withIrreversible(String... revisions) {
    return new TestingProject(this.revisions, Set.of(revisions), multipleHeads, lintFindings);
  }

  public TestingProject withMultipleHeads() {
    return new TestingProject(revisions, irreversible, true, lintFindings);
  }

  public TestingProject withLintFinding(String revision, String rule) {
    return new TestingProject(revisions, irreversible, multipleHeads, Map.of(revision, rule));
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
