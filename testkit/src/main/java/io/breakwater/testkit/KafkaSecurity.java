package io.breakwater.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The security of a secured test cluster ({@code EmbeddedKafkaCluster.builder().secured(security)}, the same for the
 * forked ones): clients reach it on a {@code SASL_SSL} listener with {@value #MECHANISM}; its TLS certificates are made
 * when this is built (a CA of its own, PEM, passed inline: no file); with {@link Builder#clientCertificates(String)}
 * clients show a certificate too (mutual TLS); its SCRAM users are written when the storage is formatted (passwords of
 * any characters); {@code StandardAuthorizer} allows only what the ACLs declared here allow (none are found: denied). The
 * admin user is a super user. The brokers' own listeners (between brokers, and to the controllers) stay
 * {@code PLAINTEXT} on loopback, so {@code User:ANONYMOUS} is a super user too: without it a broker never starts.
 *
 * <pre>{@code
 * KafkaSecurity security = KafkaSecurity.builder()
 *         .user("app", "app-secret")
 *         .allowTopic("app", "orders", AclOperation.WRITE, AclOperation.DESCRIBE)
 *         .build();
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().secured(security).start()) {
 *     Map<String, Object> props = kafka.clientConfig("app");   // bootstrap.servers, SASL_SSL, SCRAM, the CA
 * }
 * }</pre>
 *
 * <p>Immutable. {@link #toString()} names the users, never a password.
 */
public final class KafkaSecurity {

    /** The SASL mechanism of the client listener. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** The admin's user name unless {@link Builder#admin(String, String)} says otherwise. */
    public static final String DEFAULT_ADMIN = "admin";

    private final String admin;
    private final Map<String, String> passwords;
    private final List<AclBinding> acls;
    private final TlsMaterial tls;

    private KafkaSecurity(Builder b) {
        this.admin = b.admin;
        this.passwords = Collections.unmodifiableMap(new LinkedHashMap<>(b.passwords));
        this.acls = List.copyOf(b.acls);
        this.tls = TlsMaterial.generate(b.keyPassword != null ? b.keyPassword : ScramCredential.randomPassword(),
                b.clientKeyPassword);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The admin (a super user), made with a random password unless one was given. */
    public String adminUser() {
        return admin;
    }

    /** Every SCRAM user, the admin first. */
    public Set<String> users() {
        return passwords.keySet();
    }

    /** The password of {@code user}, as declared (or made, for the admin). */
    public String password(String user) {
        return passwords.get(requireUser(user));
    }

    /** The password of the brokers' private key ({@code ssl.key.password}). */
    public String keyPassword() {
        return tls.keyPassword;
    }

    /** The ACLs declared, created once the cluster runs. */
    public List<AclBinding> acls() {
        return acls;
    }

    /** The certificate of the CA that signed the brokers' certificate, PEM: what clients trust. */
    public String trustedCertificates() {
        return tls.caCertificate;
    }

    /** With mutual TLS, the password of the clients' private key ({@code ssl.key.password} of {@link #clientConfig}). */
    public Optional<String> clientKeyPassword() {
        return Optional.ofNullable(tls.clientKeyPassword);
    }

    /**
     * What a client needs besides {@code bootstrap.servers} to connect as {@code user}: {@code security.protocol},
     * {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.truststore.type=PEM} and
     * {@code ssl.truststore.certificates}; with mutual TLS also {@code ssl.keystore.type=PEM},
     * {@code ssl.keystore.certificate.chain}, {@code ssl.keystore.key} and {@code ssl.key.password}. A fresh mutable
     * map each time.
     *
     * @throws IllegalArgumentException when {@code user} was not declared
     */
    public Map<String, Object> clientConfig(String user) {
        return clientConfig(requireUser(user), passwords.get(user));
    }

    /**
     * {@link #clientConfig(String)} with any user name and password, declared or not: for a client that fails to
     * log in.
     */
    public Map<String, Object> clientConfig(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Map<String, Object> config = new HashMap<>();
        config.put("security.protocol", "SASL_SSL");
        config.put("sasl.mechanism", MECHANISM);
        config.put("sasl.jaas.config", ScramCredential.jaasConfig(user, password));
        config.putAll(tls.clientSettings());
        return config;
    }

    /** The broker settings of the secured listener {@code listener} (the client listener), the authorizer and its super users. */
    Map<String, String> brokerProperties(String listener, String internalListener, String controllerListener) {
        String prefix = "listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".";
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listener.security.protocol.map", listener + ":SASL_SSL," + internalListener + ":PLAINTEXT,"
                + controllerListener + ":PLAINTEXT");
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put(prefix + "sasl.enabled.mechanisms", MECHANISM);
        p.put(prefix + MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config", ScramCredential.LOGIN_MODULE
                + " required;");
        p.putAll(tls.listenerSettings(prefix));
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        // The brokers' PLAINTEXT listeners (to each other, to the controllers) authenticate as ANONYMOUS.
        p.put("super.users", "User:" + admin + ";User:ANONYMOUS");
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /** The SCRAM credentials, salted, as the storage formatter takes them ({@link ScramCredential}). */
    List<String> scramArguments() {
        List<String> arguments = new ArrayList<>();
        passwords.forEach((user, password) -> arguments.add(ScramCredential.formatterArgument(MECHANISM, user, password)));
        return arguments;
    }

    private String requireUser(String user) {
        Objects.requireNonNull(user, "user");
        if (!passwords.containsKey(user)) {
            throw new IllegalArgumentException("no user '" + user + "' in this secured cluster; its users are " + users());
        }
        return user;
    }

    @Override
    public String toString() {
        return "KafkaSecurity[SASL_SSL " + MECHANISM + (tls.clientKey == null ? "" : ", mutual TLS") + ", users " + users()
                + ", " + acls.size() + " ACL(s)]";
    }

    /** Users, ACLs and the admin of a {@link KafkaSecurity}. */
    public static final class Builder {

        private String admin = DEFAULT_ADMIN;
        private final Map<String, String> passwords = new LinkedHashMap<>();
        private final List<AclBinding> acls = new ArrayList<>();
        private String keyPassword;
        private String clientKeyPassword;

        private Builder() {
            passwords.put(DEFAULT_ADMIN, ScramCredential.randomPassword());
        }

        /** The admin (a super user, the one {@code admin()} of the cluster logs in as) and its password. */
        public Builder admin(String user, String password) {
            checkUser(user);
            checkPassword(user, password);
            if (!user.equals(admin) && passwords.containsKey(user)) {
                throw new IllegalArgumentException("user '" + user + "' is declared already; the admin must be another");
            }
            passwords.remove(admin);
            Map<String, String> others = new LinkedHashMap<>(passwords);
            passwords.clear();
            passwords.put(user, password);
            passwords.putAll(others);
            admin = user;
            return this;
        }

        /** A SCRAM user; it may do only what the ACLs allow it. */
        public Builder user(String user, String password) {
            checkUser(user);
            checkPassword(user, password);
            if (passwords.containsKey(user)) {
                throw new IllegalArgumentException("user '" + user + "' is declared twice");
            }
            passwords.put(user, password);
            return this;
        }

        /** The password of the brokers' private key (default: a random one). */
        public Builder keyPassword(String password) {
            checkPassword("the brokers' private key", password);
            this.keyPassword = password;
            return this;
        }

        /**
         * Mutual TLS: the client listener requires a certificate signed by the cluster's CA, and
         * {@code clientConfig(...)} carries one (PEM, inline), its private key encrypted with {@code keyPassword}.
         * The principal stays the SASL user's.
         */
        public Builder clientCertificates(String keyPassword) {
            checkPassword("the clients' private key", keyPassword);
            this.clientKeyPassword = keyPassword;
            return this;
        }

        /** Allows {@code user} the operations on topic {@code topic} (a literal name). */
        public Builder allowTopic(String user, String topic, AclOperation... operations) {
            return allow(user, new ResourcePattern(ResourceType.TOPIC, checkName("topic", topic), PatternType.LITERAL), operations);
        }

        /** Allows {@code user} the operations on every topic whose name starts with {@code prefix}. */
        public Builder allowTopicPrefix(String user, String prefix, AclOperation... operations) {
            return allow(user, new ResourcePattern(ResourceType.TOPIC, checkName("prefix", prefix), PatternType.PREFIXED),
                    operations);
        }

        /** Allows {@code user} the operations on consumer group {@code group}. */
        public Builder allowGroup(String user, String group, AclOperation... operations) {
            return allow(user, new ResourcePattern(ResourceType.GROUP, checkName("group", group), PatternType.LITERAL), operations);
        }

        /** Allows {@code user} the operations on the cluster (such as {@code CREATE}, {@code IDEMPOTENT_WRITE}). */
        public Builder allowCluster(String user, AclOperation... operations) {
            return allow(user, new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL), operations);
        }

        /** Any other ACL, as Kafka's admin client takes it. */
        public Builder acl(AclBinding binding) {
            acls.add(Objects.requireNonNull(binding, "binding"));
            return this;
        }

        private Builder allow(String user, ResourcePattern resource, AclOperation... operations) {
            Objects.requireNonNull(user, "user");
            if (!passwords.containsKey(user)) {
                throw new IllegalArgumentException("ACL for unknown user '" + user + "': declare it first with user(name, "
                        + "password); the users are " + passwords.keySet());
            }
            if (operations == null || operations.length == 0) {
                throw new IllegalArgumentException("an ACL for '" + user + "' on " + resource + " needs at least one operation");
            }
            for (AclOperation operation : operations) {
                if (operation == null || operation == AclOperation.ANY || operation == AclOperation.UNKNOWN) {
                    throw new IllegalArgumentException("an ACL needs a concrete operation (READ, WRITE, DESCRIBE, ...), "
                            + "but was " + operation);
                }
                acls.add(new AclBinding(resource, new AccessControlEntry("User:" + user, "*", operation,
                        AclPermissionType.ALLOW)));
            }
            return this;
        }

        private static void checkUser(String user) {
            Objects.requireNonNull(user, "user");
            if (!user.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("a user name must be 1 to 64 of [A-Za-z0-9._-], but was '" + user + "'");
            }
        }

        private static void checkPassword(String whose, String password) {
            Objects.requireNonNull(password, "password of " + whose);
            if (password.isEmpty()) {
                throw new IllegalArgumentException("the password of " + whose + " must not be empty");
            }
        }

        private static String checkName(String what, String name) {
            Objects.requireNonNull(name, what);
            if (name.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return name;
        }

        /** The security, its certificates made now. */
        public KafkaSecurity build() {
            return new KafkaSecurity(this);
        }
    }
}
