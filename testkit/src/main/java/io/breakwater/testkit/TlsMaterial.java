package io.breakwater.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made on the spot, and one certificate it signs for the brokers of a cluster (for
 * {@code 127.0.0.1} and {@code localhost}): all PEM, so that brokers and clients take them inline
 * ({@code ssl.keystore.type=PEM}, {@code ssl.truststore.type=PEM}) and no file is written. The broker's private key
 * is encrypted with {@code keyPassword}. EC P-256 keys: made in milliseconds.
 */
final class TlsMaterial {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
    private static final Duration VALIDITY = Duration.ofDays(2);

    /** The CA's certificate: what clients trust. */
    final String caCertificate;
    /** The broker's certificate, then the CA's. */
    final String brokerCertificateChain;
    /** The broker's private key, PKCS#8, encrypted with {@link #keyPassword}. */
    final String brokerKey;
    final String keyPassword;

    private TlsMaterial(String caCertificate, String brokerCertificateChain, String brokerKey, String keyPassword) {
        this.caCertificate = caCertificate;
        this.brokerCertificateChain = brokerCertificateChain;
        this.brokerKey = brokerKey;
        this.keyPassword = keyPassword;
    }

    /** A new CA and broker certificate; the broker's key encrypted with {@code keyPassword}. */
    static TlsMaterial generate(String keyPassword) {
        try {
            Instant now = Instant.now();
            KeyPair caKeys = ecKeyPair();
            X500Name caName = new X500Name("CN=Breakwater test CA");
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(VALIDITY)), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509CertificateHolder caCert = ca.build(signer(caKeys));

            KeyPair brokerKeys = ecKeyPair();
            X509v3CertificateBuilder broker = new JcaX509v3CertificateBuilder(caName, serial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(VALIDITY)), new X500Name("CN=localhost"),
                    brokerKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
            X509CertificateHolder brokerCert = broker.build(signer(caKeys));

            String caPem = pem(caCert);
            return new TlsMaterial(caPem, pem(brokerCert) + caPem, encryptedKey(brokerKeys, keyPassword), keyPassword);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("could not make the TLS certificates of a secured test cluster: " + e, e);
        }
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static ContentSigner signer(KeyPair keys) throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
    }

    private static String pem(X509CertificateHolder holder) throws IOException, GeneralSecurityException {
        return pem(new JcaX509CertificateConverter().getCertificate(holder));
    }

    private static String encryptedKey(KeyPair keys, String password) throws OperatorCreationException, IOException {
        // PKCS#12's PBEWithSHA1AndDESede: Kafka decrypts with the SecretKeyFactory the key names, and Java 17 has none
        // for PBES2 (AES). Weak, and enough for a key that lives as long as a test. Bouncy Castle's provider encrypts;
        // it is not installed in the JVM.
        OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.PBE_SHA1_3DES)
                .setProvider(PROVIDER).setRandom(RANDOM).setPassword(password.toCharArray()).build();
        return pem(new JcaPKCS8Generator(keys.getPrivate(), encryptor).generate());
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "TlsMaterial[CN=Breakwater test CA, broker CN=localhost]";
    }
}
