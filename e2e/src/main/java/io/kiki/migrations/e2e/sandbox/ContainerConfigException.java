package io.kiki.migrations.e2e.sandbox;

/**
 * Why a container cannot start yet, as a kubelet reports it in {@code state.waiting} (e.g. {@code
 * CreateContainerConfigError: secret "kiki-db" not found}). The pod stays Pending and the kubelet
 * retries, so the Job only fails at its {@code activeDeadlineSeconds}, as in a real cluster.
 */
public final class ContainerConfigException extends Exception {

  private final String reason;

  public ContainerConfigException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
