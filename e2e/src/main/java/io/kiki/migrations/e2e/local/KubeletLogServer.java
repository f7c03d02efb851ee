package io.kiki.migrations.e2e.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The one kubelet endpoint the local node serves: {@code GET /containerLogs/NS/POD/CONTAINER} (with
 * {@code limitBytes}), which the API server's {@code pods/log} proxies to, so {@code kubectl logs}
 * and the operator's read of the plan pod's log work against the local cluster as against a real
 * one. HTTPS with a throwaway self-signed certificate made by the JDK's {@code keytool}: the API
 * server verifies a kubelet's certificate only when given {@code --kubelet-certificate-authority},
 * which the local control plane does not set. Nothing else of the kubelet API is served.
 */
final class KubeletLogServer implements AutoCloseable {
  private final HttpsServer server;

  /** {@code logs} maps (namespace/pod, container) to the container's log file. */
  KubeletLogServer(Path workDir, BiFunction<String, String, Path> logs) throws IOException {
    try {
      Files.createDirectories(workDir);
      Path keystore = workDir.resolve("kubelet.p12");
      char[] password = HexFormat.of().formatHex(SecureRandom.getSeed(12)).toCharArray();
      Files.deleteIfExists(keystore);
      Process keytool =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                      "-genkeypair",
                      "-keyalg",
                      "RSA",
                      "-keysize",
                      "2048",
                      "-alias",
                      "kubelet",
                      "-dname",
                      "CN=" + NodeAgent.NODE_NAME,
                      "-ext",
                      "SAN=IP:127.0.0.1",
                      "-validity",
                      "7",
                      "-storetype",
                      "PKCS12",
                      "-keystore",
                      keystore.toString(),
                      "-storepass",
                      new String(password)))
              .redirectErrorStream(true)
              .start();
      String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (keytool.waitFor() != 0) {
        throw new IOException("keytool could not make the kubelet's certificate: " + output);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, password);
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(keys.getKeyManagers(), null, null);
      server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
      server.setExecutor(Executors.newFixedThreadPool(2));
      server.createContext("/containerLogs/", exchange -> serve(exchange, logs));
      server.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void serve(HttpExchange exchange, BiFunction<String, String, Path> logs)
      throws IOException {
    try (exchange) {
      String[] parts = exchange.getRequestURI().getPath().split("/");
      // "", "containerLogs", namespace, pod, container
      if (!"GET".equals(exchange.getRequestMethod()) || parts.length != 5) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      Path file = logs.apply(parts[2] + "/" + parts[3], parts[4]);
      if (file == null || !Files.isRegularFile(file)) {
        byte[] body =
            ("container " + parts[4] + " of pod " + parts[3] + " has no log on this node")
                .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(404, body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      byte[] log = Files.readAllBytes(file);
      long limit = limitBytes(exchange.getRequestURI().getRawQuery());
      int length = (int) Math.min(log.length, limit);
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, length == 0 ? -1 : length);
      if (length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(log, 0, length);
        }
      }
    }
  }

  private static long limitBytes(String query) {
    if (query == null) {
      return Long.MAX_VALUE;
    }
    for (String pair : query.split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv.length == 2 && "limitBytes".equals(kv[0])) {
        try {
          return Long.parseLong(URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
          return Long.MAX_VALUE;
        }
      }
    }
    return Long.MAX_VALUE;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
