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
 * {@code 127.0.0.1} and {@code localhost}): all PEM, so that brokers and clients take them inline
 * ({@code ssl.keystore.type=PEM}, {@code ssl.truststore.type=PEM}) and no file is written. The broker's private key
 * is encrypted with {@code keyPassword}. EC P-256 keys: made in milliseconds.
 */
final class TlsMaterial {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_CIPHER = "PBEWithSHA1AndDESede";
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
        return "TlsMaterial[CN=Breakwater test CA, broker CN=localhost]";
    }
}
