package io.breakwater.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
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
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made on the spot, and one certificate it signs for the brokers of a cluster (for
 * {@code 127.0.0.1} and {@code localhost}), and for mutual TLS one for its clients: all PEM, so that brokers and
 * clients take them inline ({@code ssl.keystore.type=PEM}, {@code ssl.truststore.type=PEM}) and no file is written.
 * Each private key is encrypted with its own password. EC P-256 keys: made in milliseconds.
 */
final class TlsMaterial {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_CIPHER = "PBEWithSHA1AndDESede";
    private static final Duration VALIDITY = Duration.ofDays(2);
    private static final X500Name CA_NAME = new X500Name("CN=Breakwater test CA");

    /** The CA's certificate: what clients (and, for mutual TLS, brokers) trust. */
    final String caCertificate;
    /** The broker's certificate, then the CA's. */
    final String brokerCertificateChain;
    /** The broker's private key, PKCS#8, encrypted with {@link #keyPassword}. */
    final String brokerKey;
    final String keyPassword;
    /** For mutual TLS: the clients' certificate chain, their encrypted key and its password; all null without. */
    final String clientCertificateChain;
    final String clientKey;
    final String clientKeyPassword;

    private TlsMaterial(String caCertificate, String brokerCertificateChain, String brokerKey, String keyPassword,
            String clientCertificateChain, String clientKey, String clientKeyPassword) {
        this.caCertificate = caCertificate;
        this.brokerCertificateChain = brokerCertificateChain;
        this.brokerKey = brokerKey;
        this.keyPassword = keyPassword;
        this.clientCertificateChain = clientCertificateChain;
        this.clientKey = clientKey;
        this.clientKeyPassword = clientKeyPassword;
    }

    /**
     * A new CA and broker certificate, the broker's key encrypted with {@code keyPassword}; with a
     * {@code clientKeyPassword} (else null) a client certificate too, its key encrypted with that.
     */
    static TlsMaterial generate(String keyPassword, String clientKeyPassword) {
        try {
            Instant now = Instant.now();
            KeyPair caKeys = ecKeyPair();
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(CA_NAME, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(VALIDITY)), CA_NAME, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            String caPem = pem(ca.build(signer(caKeys)));

            KeyPair brokerKeys = ecKeyPair();
            X509v3CertificateBuilder broker = leaf(now, "CN=localhost", brokerKeys)
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
            String brokerChain = pem(broker.build(signer(caKeys))) + caPem;
            if (clientKeyPassword == null) {
                return new TlsMaterial(caPem, brokerChain, encryptedKey(brokerKeys, keyPassword), keyPassword, null, null, null);
            }
            KeyPair clientKeys = ecKeyPair();
            String clientChain = pem(leaf(now, "CN=breakwater-test-client", clientKeys).build(signer(caKeys))) + caPem;
            return new TlsMaterial(caPem, brokerChain, encryptedKey(brokerKeys, keyPassword), keyPassword, clientChain,
                    encryptedKey(clientKeys, clientKeyPassword), clientKeyPassword);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("could not make the TLS certificates of a secured test cluster: " + e, e);
        }
    }

    private static X509v3CertificateBuilder leaf(Instant now, String subject, KeyPair keys) throws IOException {
        return new JcaX509v3CertificateBuilder(CA_NAME, serial(), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(VALIDITY)), new X500Name(subject), keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    }

    /** What a client needs to trust the brokers and, with mutual TLS, to show its certificate. */
    Map<String, String> clientSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("ssl.truststore.type", "PEM");
        settings.put("ssl.truststore.certificates", caCertificate);
        if (clientKey != null) {
            settings.put("ssl.keystore.type", "PEM");
            settings.put("ssl.keystore.certificate.chain", clientCertificateChain);
            settings.put("ssl.keystore.key", clientKey);
            settings.put("ssl.key.password", clientKeyPassword);
        }
        return settings;
    }

    /**
     * The TLS settings of a broker listener, each key after {@code prefix} ({@code listener.name.x.}): its
     * certificate and key, and with mutual TLS a client certificate required, signed by the CA. (Kafka asks a
     * SASL_SSL listener for client certificates only when {@code ssl.client.auth} carries the listener's prefix.)
     */
    Map<String, String> listenerSettings(String prefix) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(prefix + "ssl.keystore.type", "PEM");
        settings.put(prefix + "ssl.keystore.certificate.chain", brokerCertificateChain);
        settings.put(prefix + "ssl.keystore.key", brokerKey);
        settings.put(prefix + "ssl.key.password", keyPassword);
        if (clientKey != null) {
            settings.put(prefix + "ssl.client.auth", "required");
            settings.put(prefix + "ssl.truststore.type", "PEM");
            settings.put(prefix + "ssl.truststore.certificates", caCertificate);
        }
        return settings;
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

    private static String encryptedKey(KeyPair keys, String password) throws GeneralSecurityException, IOException {
        // PKCS#12's PBEWithSHA1AndDESede: Kafka decrypts with the SecretKeyFactory the key names, and Java 17 has none for
        // PBES2 (AES). Weak, and enough for a key that lives as long as a test; the JDK's own provider does it.
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        PBEParameterSpec spec = new PBEParameterSpec(salt, 2048);
        SecretKey key = SecretKeyFactory.getInstance(KEY_CIPHER).generateSecret(new PBEKeySpec(password.toCharArray()));
        Cipher cipher = Cipher.getInstance(KEY_CIPHER);
        cipher.init(Cipher.ENCRYPT_MODE, key, spec);
        AlgorithmParameters parameters = AlgorithmParameters.getInstance(KEY_CIPHER);
        parameters.init(spec);
        byte[] encoded = new EncryptedPrivateKeyInfo(parameters, cipher.doFinal(keys.getPrivate().getEncoded())).getEncoded();
        return "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(encoded)
                + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
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
        return "TlsMaterial[CN=Breakwater test CA, broker CN=localhost" + (clientKey == null ? "" : ", client "
                + "CN=breakwater-test-client") + "]";
    }
}
