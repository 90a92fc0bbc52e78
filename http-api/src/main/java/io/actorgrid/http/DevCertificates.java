package io.actorgrid.http;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * {@code bin/actorgrid certs DIR [--host HOST]... [--name NAME]}: a development CA and certificates
 * signed by it, as PEM files in {@code DIR}, for trying HTTPS, mutual TLS and member TLS on one
 * machine or a few. Not for production: the CA's key sits next to the certificates.
 *
 * <ul>
 *   <li>{@code ca.crt}, {@code ca.key}: the CA, made on the first run and reused afterwards, so
 *       that later runs add certificates to the same cluster.
 *   <li>{@code NAME.crt}, {@code NAME.key} (default {@code node}): a node certificate for HTTPS and
 *       for member TLS, valid for 127.0.0.1, ::1, localhost and every {@code --host}. Every node
 *       certificate also names {@value #CLUSTER_NAME}: Pekko's member TLS accepts a peer only if
 *       its certificate shares a name with the node's own.
 *   <li>{@code client.crt}, {@code client.key}: a client certificate for mutual TLS (curl's {@code
 *       --cert}/{@code --key}).
 * </ul>
 *
 * Keys are RSA 2048 in PKCS#8 (Pekko's member TLS reads only RSA keys), readable by the owner only.
 */
public final class DevCertificates {
  /** A name every node certificate carries; see the class comment. */
  static final String CLUSTER_NAME = "actorgrid-node";

  private static final Duration VALIDITY = Duration.ofDays(825);
  private static final SecureRandom RANDOM = new SecureRandom();

  private DevCertificates() {}

  public static void main(String[] args) throws Exception {
    Path dir = null;
    List<String> hosts = new ArrayList<>();
    String name = "node";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> hosts.add(value(args, ++i, "--host"));
        case "--name" -> name = value(args, ++i, "--name");
        case "-h", "--help" -> {
          System.out.println(usage());
          return;
        }
        default -> {
          if (args[i].startsWith("-") || dir != null) {
            System.err.println("actorgrid certs: unexpected '" + args[i] + "'\n" + usage());
            System.exit(2);
          }
          dir = Path.of(args[i]);
        }
      }
    }
    if (dir == null) {
      System.err.println(usage());
      System.exit(2);
    }
    for (String written : write(dir, name, hosts)) {
      System.out.println(written);
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      System.err.println("actorgrid certs: " + option + " needs a value\n" + usage());
      System.exit(2);
    }
    return args[i];
  }

  private static String usage() {
    return "usage: bin/actorgrid certs DIR [--host HOST]... [--name NAME]\n"
        + "  Writes a development CA (ca.crt, ca.key; reused when present), a node certificate\n"
        + "  (NAME.crt, NAME.key; NAME defaults to node) valid for 127.0.0.1, ::1, localhost and\n"
        + "  each --host, and a client certificate (client.crt, client.key), as PEM files.";
  }

  /** Writes the files and returns a line describing each. */
  static List<String> write(Path dir, String name, List<String> hosts)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    Files.createDirectories(dir);
    List<String> out = new ArrayList<>();
    Path caCert = dir.resolve("ca.crt");
    Path caKeyFile = dir.resolve("ca.key");
    X509Certificate ca;
    PrivateKey caKey;
    if (Files.exists(caCert) && Files.exists(caKeyFile)) {
      ca = PemFiles.certificates(caCert).get(0);
      caKey = PemFiles.privateKey(caKeyFile);
      out.add(caCert + ": the existing CA, reused");
    } else {
      KeyPair caPair = rsa();
      X500Name subject = new X500Name("CN=ActorGrid development CA " + Instant.now());
      X509v3CertificateBuilder builder = builder(subject, subject, caPair);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      ca = sign(builder, caPair.getPrivate());
      caKey = caPair.getPrivate();
      writePem(caCert, ca, false);
      writePem(caKeyFile, caKey, true);
      out.add(caCert + ", " + caKeyFile + ": a new development CA");
    }

    Set<String> names = new LinkedHashSet<>(List.of("127.0.0.1", "::1", "localhost", CLUSTER_NAME));
    names.addAll(hosts);
    List<GeneralName> sans = new ArrayList<>();
    for (String host : names) {
      sans.add(
          isIpLiteral(host)
              ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(host).getHostAddress())
              : new GeneralName(GeneralName.dNSName, host));
    }
    KeyPair nodePair = rsa();
    X509v3CertificateBuilder node = leaf(ca, "CN=" + CLUSTER_NAME, nodePair);
    node.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(sans.toArray(GeneralName[]::new)));
    // Both: a node is the server of its HTTPS clients and of members that connect to it, and the
    // client of the members it connects to.
    node.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    Path nodeCert = dir.resolve(name + ".crt");
    Path nodeKey = dir.resolve(name + ".key");
    writePem(nodeCert, sign(node, caKey), false);
    writePem(nodeKey, nodePair.getPrivate(), true);
    out.add(nodeCert + ", " + nodeKey + ": a node certificate for " + String.join(", ", names));

    KeyPair clientPair = rsa();
    X509v3CertificateBuilder client = leaf(ca, "CN=actorgrid-client", clientPair);
    client.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    Path clientCert = dir.resolve("client.crt");
    Path clientKey = dir.resolve("client.key");
    writePem(clientCert, sign(client, caKey), false);
    writePem(clientKey, clientPair.getPrivate(), true);
    out.add(clientCert + ", " + clientKey + ": a client certificate (mutual TLS)");
    return out;
  }

  private static X509v3CertificateBuilder leaf(X509Certificate ca, String subject, KeyPair pair)
      throws GeneralSecurityException, IOException {
    X509v3CertificateBuilder builder =
        builder(
            X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
            new X500Name(subject),
            pair);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    builder.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
    return builder;
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair)
      throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(127, RANDOM),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(VALIDITY)),
            subject,
            pair.getPublic());
    builder.addExtension(
        Extension.subjectKeyIdentifier,
        false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
    return builder;
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048, RANDOM);
    return generator.generateKeyPair();
  }

  private static boolean isIpLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  /** PEM; keys as PKCS#8 ("PRIVATE KEY"), readable by the owner only. */
  private static void writePem(Path file, Object object, boolean secret) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      pem.writeObject(
          object instanceof PrivateKey key
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null)
              : object);
    }
    Files.deleteIfExists(file);
    Files.createFile(file);
    if (secret) {
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // Windows: the file keeps its folder's access rules.
      }
    }
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
      writer.write(text.toString());
    }
  }
}
