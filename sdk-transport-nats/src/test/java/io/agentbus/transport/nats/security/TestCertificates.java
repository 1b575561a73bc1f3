package io.agentbus.transport.nats.security;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for one test run with the {@code openssl} binary: certificate authorities,
 * server certificates for a host, client certificates (also expired ones), and the PKCS#12 stores
 * the Java client reads. Nothing is checked in, so nothing expires in the repository.
 */
final class TestCertificates {
  private final Path dir;

  TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** A new certificate authority {@code name}: {@code name.pem} and {@code name.key}. */
  Path authority(String name) throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
        name + ".pem", "-days", "2", "-subj", "/CN=" + name);
    Files.writeString(dir.resolve(name + ".cnf"), String.join("\n",
        "[ ca ]", "default_ca = ca_default", "[ ca_default ]",
        "database = " + name + ".index", "new_certs_dir = .", "certificate = " + name + ".pem",
        "private_key = " + name + ".key", "default_md = sha256", "policy = any",
        "serial = " + name + ".serial", "unique_subject = no", "copy_extensions = none",
        "[ any ]", "commonName = supplied", ""), StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve(name + ".index"), "");
    Files.writeString(dir.resolve(name + ".serial"), "1000\n");
    return dir.resolve(name + ".pem");
  }

  /**
   * A certificate {@code name} signed by {@code authority}, valid from {@code start} to {@code
   * end} (openssl's {@code YYYYMMDDHHMMSSZ}), with the given X.509 extensions.
   */
  Path issue(String authority, String name, String start, String end, String extensions)
      throws Exception {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
        name + ".csr", "-subj", "/CN=" + name);
    Files.writeString(dir.resolve(name + ".ext"), extensions + "\n");
    openssl("ca", "-batch", "-config", authority + ".cnf", "-in", name + ".csr", "-out",
        name + ".pem", "-startdate", start, "-enddate", end, "-notext", "-extfile",
        name + ".ext");
    return dir.resolve(name + ".pem");
  }

  /** A server certificate for {@code san} (e.g. {@code IP:127.0.0.1}), valid now. */
  Path server(String authority, String name, String san) throws Exception {
    return issue(authority, name, "20250101000000Z", "20991231000000Z",
        "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth");
  }

  /** A client certificate, valid now, or expired when {@code expired}. */
  Path client(String authority, String name, boolean expired) throws Exception {
    return issue(authority, name, expired ? "20200101000000Z" : "20250101000000Z",
        expired ? "20200102000000Z" : "20991231000000Z", "extendedKeyUsage=clientAuth");
  }

  /** The PKCS#12 key store (password {@code changeit}) of the certificate {@code name}. */
  Path keyStore(String name) throws Exception {
    openssl("pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-out",
        name + ".p12", "-passout", "pass:changeit", "-name", name);
    return dir.resolve(name + ".p12");
  }

  /** A PKCS#12 trust store (password {@code changeit}) trusting these authorities. */
  Path trustStore(String name, String... authorities) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    for (String a : authorities) {
      try (InputStream in = new FileInputStream(dir.resolve(a + ".pem").toFile())) {
        ks.setCertificateEntry(a, cf.generateCertificate(in));
      }
    }
    Path p = dir.resolve(name + ".p12");
    try (OutputStream out = Files.newOutputStream(p)) {
      ks.store(out, "changeit".toCharArray());
    }
    return p;
  }

  Path file(String name) {
    return dir.resolve(name);
  }

  private void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("These tests make their certificates with the openssl "
          + "binary, which is not on the PATH: install openssl", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + out);
    }
  }
}
