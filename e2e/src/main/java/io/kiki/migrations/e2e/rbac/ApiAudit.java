package io.kiki.migrations.e2e.rbac;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an API server saw of the operator (the local cluster's audit log, or the sandbox's record):
 * every (verb, group, resource/subresource) it used, the discovery paths it read, and every request
 * RBAC forbade (only a real API server forbids). Thread-safe; the forbidden list can be drained per
 * scenario.
 */
public final class ApiAudit {

  private final Set<VerbOnResource> used = new TreeSet<>();
  private final Set<String> nonResource = new TreeSet<>();
  private final List<ApiRequest> forbidden = new ArrayList<>();
  private final List<Recording> recordings = new ArrayList<>();

  /** What the operator used while a recording is open (e.g. during one scenario). */
  public final class Recording implements AutoCloseable {
    private final Set<VerbOnResource> recorded = new TreeSet<>();

    public Set<VerbOnResource> used() {
      synchronized (ApiAudit.this) {
        return new TreeSet<>(recorded);
      }
    }

    @Override
    public void close() {
      synchronized (ApiAudit.this) {
        recordings.remove(this);
      }
    }
  }

  public synchronized Recording startRecording() {
    Recording recording = new Recording();
    recordings.add(recording);
    return recording;
  }

  public synchronized void record(ApiRequest request, boolean allowed) {
    if (!allowed) {
      forbidden.add(request);
    } else if (request.isResourceRequest()) {
      used.add(request.verbOnResource());
      recordings.forEach(r -> r.recorded.add(request.verbOnResource()));
    } else {
      nonResource.add(request.verb() + " " + request.path());
    }
  }

  /** Everything the operator was allowed to do and did, since the sandbox started. */
  public synchronized Set<VerbOnResource> used() {
    return new TreeSet<>(used);
  }

  public synchronized Set<String> nonResourceRequests() {
    return new TreeSet<>(nonResource);
  }

  /** The operator's forbidden requests since the last call, in order; they are forgotten. */
  public synchronized List<ApiRequest> drainForbidden() {
    List<ApiRequest> drained = List.copyOf(forbidden);
    forbidden.clear();
    return drained;
  }
}
