package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Self-signed certificates for 127.0.0.1 with their keys in a chosen PEM form. */
final class TestKeys {
  private TestKeys() {}

  /**
   * Writes {@code cert.pem} and {@code key.pem}; {@code form} is rsa-pkcs8, rsa-pkcs1, ec-pkcs8 or
   * ec-sec1.
   */
  static void write(Path dir, String form) throws Exception {
    boolean rsa = form.startsWith("rsa");
    KeyPairGenerator generator = KeyPairGenerator.getInstance(rsa ? "RSA" : "EC");
    generator.initialize(rsa ? 2048 : 256);
    KeyPair pair = generator.generateKeyPair();
    X500Name name = new X500Name("CN=test-" + form);
    Instant now = Instant.now();
    var builder =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            name,
            pair.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    var certificate =
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder(rsa ? "SHA256withRSA" : "SHA256withECDSA")
                        .build(pair.getPrivate())));
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("cert.pem"), pem(certificate));
    boolean pkcs8 = form.endsWith("pkcs8");
    String key =
        pem(
            pkcs8
                ? new JcaPKCS8Generator(pair.getPrivate(), null)
                : rsa ? pair.getPrivate() : sec1(pair));
    String expected =
        pkcs8
            ? "-----BEGIN PRIVATE KEY-----"
            : rsa ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN EC PRIVATE KEY-----";
    assertTrue(key.startsWith(expected), () -> form + " wrote " + key.lines().findFirst());
    Files.writeString(dir.resolve("key.pem"), key);
  }

  /** SEC1 as openssl writes it: with the curve and the public key. */
  private static PemObject sec1(KeyPair pair) throws Exception {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
    ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
    ECPrivateKey full =
        new ECPrivateKey(
            256,
            inner.getKey(),
            SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()).getPublicKeyData(),
            info.getPrivateKeyAlgorithm().getParameters());
    return new PemObject("EC PRIVATE KEY", full.getEncoded());
  }

  private static String pem(Object object) throws Exception {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }
}
