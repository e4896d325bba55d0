package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testkit.EmbeddedKafkaCluster;
import io.breakwater.testkit.JavaProcess;
import io.breakwater.testkit.KafkaSecurity;
import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * No secret anywhere: every guarded path runs with known secrets (a SASL password of odd characters inside
 * {@code sasl.jaas.config}, an SSL key password and a keystore password, a Redis password, a PostgreSQL password), in a
 * JVM of its own ({@link SecretScanMain}) whose every logger logs at TRACE to standard output. Then nothing the user can
 * see may hold any of them, in any form ({@link SecretScan}): that JVM's whole output (every log line; every exception
 * with its causes; the {@code toString()} of configs, producers, transports, buses, stores, publishers and readers;
 * health and snapshots; the command line's output; a Prometheus scrape), every record of the test's topics (status
 * events, control commands, data), every key and value of the Redis, and every file the scenarios wrote.
 *
 * <p>A cluster is a {@link ClusterUnderScan}: the client properties that carry the secrets, and properties whose
 * credentials the cluster refuses. On an unsecured broker, the producers carry the secrets they would carry on a
 * secured one ({@code sasl.jaas.config}, {@code ssl.key.password}), unused by {@code PLAINTEXT}, and the refused
 * properties speak SASL to the PLAINTEXT listener, which Kafka refuses with an {@code AuthenticationException}. On a
 * secured cluster (SASL_SSL, SCRAM-SHA-512, ACLs, mutual TLS) the secrets are real: the user's SCRAM password, of the
 * characters a formatter argument, JAAS, a URL or JSON would trip on; the encrypted client key, its
 * {@code ssl.key.password}; the admin's password; and the wrong password of the refused properties. There the user
 * lacks WRITE on one topic, so the guarded paths meet an authorization failure too ({@code authorization}).
 *
 * <p>On failure the test reports where each secret was found, with the text around it masked, never the secret.
 */
@RealBroker
class SecretScanIT {

    static final String SASL_USER = "scan-user";
    static final String SASL_PASSWORD = "p%@ss w0rd\"'\\\\";
    // A secured cluster's: its user's real password, one the cluster refuses, and the password of the clients' key.
    static final String SECURED_USER = "scan-app";
    static final String SECURED_PASSWORD = "p%@ss, w0rd=\"'\\\\[x];";
    static final String WRONG_PASSWORD = "n0t " + SECURED_PASSWORD;
    static final String CLIENT_KEY_PASSWORD = "c1ient k3y \"p@ss\" %41\\";
    static final String SSL_KEY_PASSWORD = "k3y:P@ss;w0rd=!";
    static final String SSL_KEYSTORE_PASSWORD = "st0re#P@ss w0rd?";
    static final String REDIS_PASSWORD = "r3d!s p@ss%w0rd\"";
    static final String POSTGRES_PASSWORD = "pg:S3cr#t w0rd&";

    @TempDir
    Path dir;

    /**
     * A cluster to scan on: its topics' {@code prefix}, {@code client} (with {@code bootstrap.servers}), {@code refused}
     * (credentials the cluster refuses) and {@code principal}, as the refusal's log names it; the secrets to scan for by
     * label; and whether the cluster is secured (it then has a topic its user may not write: {@code <prefix>-denied}).
     */
    record ClusterUnderScan(String name, String prefix, Map<String, Object> client, Map<String, Object> refused,
                            Map<String, String> secrets, Map<String, String> wholeOnly, String principal, boolean secured) {

        /** The broker as it is, the producers carrying the secrets a secured cluster would need. */
        static ClusterUnderScan unsecured(TestBroker broker) {
            Map<String, Object> client = broker.clientConfig();
            String jaas = jaas(SASL_USER, SASL_PASSWORD);
            client.put("sasl.mechanism", "SCRAM-SHA-512");
            client.put("sasl.jaas.config", jaas);
            client.put("ssl.key.password", SSL_KEY_PASSWORD);
            client.put("ssl.keystore.password", SSL_KEYSTORE_PASSWORD);
            Map<String, Object> refused = new HashMap<>(client);
            refused.put("security.protocol", "SASL_PLAINTEXT");
            Map<String, String> secrets = new LinkedHashMap<>(secretsOf("the cluster's", broker.clientConfig()));
            secrets.put("SASL password", SASL_PASSWORD);
            secrets.put("SSL key password", SSL_KEY_PASSWORD);
            secrets.put("SSL keystore password", SSL_KEYSTORE_PASSWORD);
            Map<String, String> wholeOnly = new LinkedHashMap<>(jaasOf("the cluster's", broker.clientConfig()));
            wholeOnly.put("sasl.jaas.config", jaas);
            return new ClusterUnderScan(broker.kind() + " broker, secrets in the producer properties", newPrefix(), client,
                    refused, secrets, wholeOnly, "principal '" + SASL_USER + "' (SCRAM-SHA-512 over SASL_PLAINTEXT)", false);
        }

        /** A secured cluster (see {@link #securedCluster}) as {@link #SECURED_USER}, refused with {@link #WRONG_PASSWORD}. */
        static ClusterUnderScan secured(TestBroker broker, String prefix) {
            EmbeddedKafkaCluster cluster = broker.cluster();
            Map<String, Object> client = cluster.clientConfig(SECURED_USER);
            Map<String, Object> refused = cluster.security().orElseThrow().clientConfig(SECURED_USER, WRONG_PASSWORD);
            refused.put("bootstrap.servers", cluster.bootstrapServers());
            Map<String, String> secrets = new LinkedHashMap<>(secretsOf("the user's", client));
            secrets.putAll(secretsOf("the refused", refused));
            secrets.putAll(secretsOf("the admin's", broker.clientConfig()));
            secrets.put("the clients' private key, a line of its PEM", keyLine(String.valueOf(client.get("ssl.keystore.key"))));
            Map<String, String> wholeOnly = new LinkedHashMap<>(jaasOf("the user's", client));
            wholeOnly.putAll(jaasOf("the refused", refused));
            wholeOnly.putAll(jaasOf("the admin's", broker.clientConfig()));
            return new ClusterUnderScan("a secured cluster (SASL_SSL, SCRAM, ACLs, mutual TLS)", prefix, client, refused,
                    secrets, wholeOnly, "principal '" + SECURED_USER + "' (SCRAM-SHA-512 over SASL_SSL)", true);
        }
    }

    static String newPrefix() {
        return "scan-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * A secured cluster whose user {@link #SECURED_USER} may do what the guarded paths do on the topics and groups of
     * {@code prefix}, but not write {@code <prefix>-denied}; clients show a certificate, their key encrypted.
     */
    static EmbeddedKafkaCluster securedCluster(String prefix) {
        KafkaSecurity security = KafkaSecurity.builder()
                .user(SECURED_USER, SECURED_PASSWORD)
                .allowTopicPrefix(SECURED_USER, prefix, AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE,
                        AclOperation.DESCRIBE_CONFIGS, AclOperation.CREATE)
                .acl(new AclBinding(new ResourcePattern(ResourceType.GROUP, prefix, PatternType.PREFIXED),
                        new AccessControlEntry("User:" + SECURED_USER, "*", AclOperation.READ, AclPermissionType.ALLOW)))
                .acl(new AclBinding(new ResourcePattern(ResourceType.TOPIC, prefix + "-denied", PatternType.LITERAL),
                        new AccessControlEntry("User:" + SECURED_USER, "*", AclOperation.WRITE, AclPermissionType.DENY)))
                .clientCertificates(CLIENT_KEY_PASSWORD)
                .build();
        return EmbeddedKafkaCluster.builder().secured(security).start();
    }

    /** The second line of a PEM key's Base64: ciphertext, nothing any other key or certificate shares. */
    private static String keyLine(String pem) {
        String line = pem.lines().skip(2).findFirst().orElseThrow();
        assertThat(line).as("a line of the clients' encrypted key").hasSizeGreaterThanOrEqualTo(16);
        return line;
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password.replace("\\", "\\\\").replace("\"", "\\\"") + "\";";
    }

    /**
     * The secrets of client properties, labelled {@code whose}: values of keys that name a password or secret, and the
     * {@code password} of {@code sasl.jaas.config} (an external or secured cluster's own).
     */
    static Map<String, String> secretsOf(String whose, Map<String, Object> client) {
        Map<String, String> secrets = new LinkedHashMap<>();
        client.forEach((key, value) -> {
            String text = String.valueOf(value);
            if ((key.contains("password") || key.contains("secret")) && text.length() >= 8) {
                secrets.put(whose + " " + key, text);
            }
        });
        java.util.regex.Matcher password = java.util.regex.Pattern.compile("password=\"((?:[^\"\\\\]|\\\\.)*)\"")
                .matcher(String.valueOf(client.getOrDefault("sasl.jaas.config", "")));
        if (password.find() && password.group(1).length() >= 8) {
            secrets.put(whose + " SASL password", password.group(1).replaceAll("\\\\(.)", "$1"));
        }
        return secrets;
    }

    static Map<String, String> jaasOf(String whose, Map<String, Object> client) {
        Object jaas = client.get("sasl.jaas.config");
        return jaas == null ? Map.of() : Map.of(whose + " sasl.jaas.config", String.valueOf(jaas));
    }

    static Map<String, String> allSecrets(ClusterUnderScan cluster) {
        Map<String, String> secrets = new LinkedHashMap<>(cluster.secrets());
        secrets.put("Redis password", REDIS_PASSWORD);
        secrets.put("PostgreSQL password", POSTGRES_PASSWORD);
        return secrets;
    }

    @Test
    void theScanFindsEverySecretInEveryFormAndShowsNoneOfThem() {
        Map<String, String> secrets = Map.of("SASL password", SASL_PASSWORD, "Redis password", REDIS_PASSWORD);
        SecretScan scan = new SecretScan(secrets);
        String text = "a " + SASL_PASSWORD + " b " + URLEncoder.encode(REDIS_PASSWORD, StandardCharsets.UTF_8).replace("+", "%20")
                + " c " + jaas(SASL_USER, SASL_PASSWORD) + " d {\"p\":\"" + REDIS_PASSWORD.replace("\"", "\\\"") + "\"} e "
                + SASL_PASSWORD.substring(0, 8) + "(cut) (cut)" + REDIS_PASSWORD.substring(REDIS_PASSWORD.length() - 8);
        scan.scan("canary", text);
        // In sasl.jaas.config the password is escaped as JSON escapes it: a quote and a backslash each get a backslash.
        assertThat(scan.hits()).extracting(SecretScan.Hit::secret).contains("SASL password", "Redis password, percent-encoded",
                "SASL password, JSON-escaped", "Redis password, JSON-escaped", "SASL password, its first 8 characters",
                "Redis password, its last 8 characters");
        assertThat(scan.hits()).filteredOn(h -> h.secret().equals("SASL password, JSON-escaped")).hasSize(1);
        for (SecretScan.Hit hit : scan.hits()) {
            assertThat(hit.toString()).doesNotContain(SASL_PASSWORD.substring(0, 8)).doesNotContain(REDIS_PASSWORD.substring(0, 8))
                    .doesNotContain(REDIS_PASSWORD.substring(REDIS_PASSWORD.length() - 8));
        }
        assertThat(new SecretScan(secrets).scan("clean", "nothing to see: p%@s, r3d!").hits()).isEmpty();
    }

    @Test
    void theScanFindsTheSecuredClustersPasswordInTheJaasConfigTheTestkitWrites() {
        Object jaas = KafkaSecurity.builder().user(SECURED_USER, SECURED_PASSWORD).build().clientConfig(SECURED_USER)
                .get("sasl.jaas.config");
        Map<String, String> secrets = secretsOf("the user's", Map.of("sasl.jaas.config", jaas));
        assertThat(secrets).as("the password read back from sasl.jaas.config").containsExactly(
                Map.entry("the user's SASL password", SECURED_PASSWORD));
        SecretScan scan = new SecretScan(secrets).scan("canary", "options: " + jaas);
        // Escaped for JAAS as JSON escapes it (a backslash before each quote and backslash): one form, so JSON's label.
        assertThat(scan.hits()).extracting(SecretScan.Hit::secret).contains("the user's SASL password, JSON-escaped",
                "the user's SASL password, its first 8 characters");
    }

    @Test
    void noSecretAnywhereOnAnUnsecuredBrokerWithSecretsInTheProducerProperties(TestBroker broker) throws Exception {
        scan(broker, ClusterUnderScan.unsecured(broker));
    }

    @Test
    void noSecretAnywhereOnASecuredClusterWithRealCredentials() throws Exception {
        RedisServerProcess.assumeAvailable();
        String prefix = newPrefix();
        try (TestBroker secured = TestBroker.of(securedCluster(prefix))) {
            ClusterUnderScan cluster = ClusterUnderScan.secured(secured, prefix);
            assertThat(cluster.secrets()).as("the secrets scanned for").containsValues(SECURED_PASSWORD, WRONG_PASSWORD,
                    CLIENT_KEY_PASSWORD, secured.cluster().security().orElseThrow().password(KafkaSecurity.DEFAULT_ADMIN));
            scan(secured, cluster);
        }
    }

    private void scan(TestBroker broker, ClusterUnderScan cluster) throws Exception {
        RedisServerProcess.assumeAvailable();
        String prefix = cluster.prefix();
        List<String> topics = cluster.secured() ? List.of("data", "orders", "audit", "denied") : List.of("data", "orders", "audit");
        for (String topic : topics) {
            broker.createTopic(prefix + "-" + topic, 1, 1, Map.of());
        }
        TestCertificates authority = TestCertificates.authority("Breakwater SecretScanIT CA");
        String table = "scan_spill_" + prefix.substring(5);
        try (RedisServerProcess redis = RedisServerProcess.start(REDIS_PASSWORD, "scan", REDIS_PASSWORD, authority,
                authority.server("localhost"))) {
            Path plan = Files.createDirectories(dir.resolve("plan"));
            Path data = Files.createDirectories(dir.resolve("data"));
            writePlan(plan, data, prefix, cluster, redis, authority, table);
            SecretScan scan = new SecretScan(allSecrets(cluster), cluster.wholeOnly());
            String output = runScenarios(plan, scan, SecretScanMain.scenarios(cluster.secured()));
            scan.scan("the scenarios' output", output);
            long records = scanTopics(scan, broker, cluster, prefix);
            int keys = scanRedis(scan, redis);
            scanFiles(scan, data);

            if (redis.tlsUnavailable == null) {
                assertThat(output).as("the Redis store over TLS").contains(">> loaded over TLS: Optional[");
            }
            assertCaptured(output, records, keys, cluster);
            List<SecretScan.Hit> hits = scan.hits();
            assertThat(hits.subList(0, Math.min(30, hits.size()))).as("secrets found: %d (%d characters scanned in %d sources); "
                    + "the first 30, masked", hits.size(), scan.scannedChars(), scan.sources().size()).isEmpty();
        } finally {
            Postgres.dropTable(table);
        }
    }

    private static void writePlan(Path plan, Path data, String prefix, ClusterUnderScan cluster, RedisServerProcess redis,
                                  TestCertificates authority, String table) throws Exception {
        store(plan.resolve("client.properties"), cluster.client());
        store(plan.resolve("refused.properties"), cluster.refused());
        store(plan.resolve("scan.properties"), Map.of("prefix", prefix, "data", data.toString(),
                "authorization", Boolean.toString(cluster.secured())));
        store(plan.resolve("jdbc.properties"), Map.of("url", Postgres.url(Postgres.HOST, Postgres.PORT) + "?password="
                + RedisAuthIT.encoded(POSTGRES_PASSWORD), "user", Postgres.USER, "password", POSTGRES_PASSWORD, "table", table));
        String host = "@127.0.0.1:" + redis.port + "/0";
        String encoded = RedisAuthIT.encoded(REDIS_PASSWORD);
        Map<String, Object> uris = new HashMap<>(Map.of("good", "redis://:" + encoded + host,
                "wrong", "redis://:" + RedisAuthIT.encoded("not " + REDIS_PASSWORD) + host,
                "malformed.raw-password", "redis://:" + REDIS_PASSWORD + host,
                "malformed.port", "redis://scan:" + encoded + "@127.0.0.1:port/0",
                "malformed.database", "redis://scan:" + encoded + "@127.0.0.1:6379/abc",
                "malformed.no-colon", "redis://" + encoded + "@127.0.0.1:6379/0",
                "malformed.scheme", "http://scan:" + encoded + host,
                "malformed.query", "redis://127.0.0.1:6379/0?password=" + encoded,
                "malformed.no-host", "redis://scan:" + REDIS_PASSWORD + "/0"));
        if (redis.tlsUnavailable == null) {
            Path ca = Files.writeString(plan.resolve("ca.pem"), authority.authorityPem());
            uris.put("tls", "rediss://:" + encoded + "@localhost:" + redis.tlsPort + "/0");
            uris.put("tls.ca", ca.toString());
        }
        store(plan.resolve("redis.properties"), uris);
    }

    private static void store(Path file, Map<String, ?> values) throws Exception {
        Properties props = new Properties();
        values.forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, null);
        }
    }

    /**
     * Runs {@link SecretScanMain} and returns its whole output; checks that every scenario ran to its end (a failed
     * one is shown through {@code masking}).
     */
    private String runScenarios(Path plan, SecretScan masking, List<String> scenarios) throws Exception {
        Path out = dir.resolve("scenarios.out");
        // A short run whose time is class loading, TLS handshakes and logging: the quick compiler alone and one GC
        // thread spend less of two shared cores than a JVM that optimizes for the long run (about half the time). Each
        // client's PEM key is put in an in-memory PKCS#12 key store, encrypted there with 10,000 rounds of PBKDF2 by
        // default and decrypted again; one round does for a key store that never leaves the process.
        List<String> options = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dkeystore.pkcs12.keyPbeIterationCount=1", "-Dorg.slf4j.simpleLogger.logFile=System.out",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace", "-Dorg.slf4j.simpleLogger.log.io.breakwater.consumer=trace",
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.showThreadName=true");
        Process process = JavaProcess.builder(SecretScanMain.class, options, List.of(plan.toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean ended;
        try {
            ended = process.waitFor(150, TimeUnit.SECONDS);
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        List<String> failed = output.lines().filter(l -> l.startsWith("SCENARIO-FAILED ")).collect(Collectors.toList());
        List<String> lines = output.lines().toList();
        StringBuilder failures = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("SCENARIO-FAILED ")) {
                lines.subList(i, Math.min(lines.size(), i + 30)).forEach(l -> failures.append('\n').append(masking.mask(l)));
            }
        }
        Set<String> done = output.lines().filter(l -> l.startsWith("SCENARIO-DONE ")).map(l -> l.substring(14))
                .collect(Collectors.toSet());
        assertThat(ended && output.contains("SCAN-END")).as("the scenarios ended within 150 s (failed: %s)", failed).isTrue();
        assertThat(done).as("scenarios that ran to their end; failed, with every known secret masked:%s", failures)
                .containsExactlyInAnyOrderElementsOf(scenarios);
        return output;
    }

    /** Scans every record of the scan's topics (keys, values, headers); returns how many there were. */
    private static long scanTopics(SecretScan scan, TestBroker broker, ClusterUnderScan cluster, String prefix) throws Exception {
        List<String> topics = broker.admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(prefix)).sorted().toList();
        Map<String, Object> props = new HashMap<>(cluster.client());
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String where = "topic " + r.topic() + " offset " + r.offset();
                    scan.scan(where + " key", r.key()).scan(where + " value", r.value());
                    for (Header h : r.headers()) {
                        scan.scan(where + " header " + h.key(), h.value());
                    }
                    records++;
                }
            }
            assertThat(partitions).as("every record of the scan's topics read").allMatch(p -> consumer.position(p) >= ends.get(p));
        }
        assertThat(topics).as("the scan's topics").contains(prefix + "-status", prefix + "-control", prefix + "-data");
        return records;
    }

    private static int scanRedis(SecretScan scan, RedisServerProcess redis) {
        int keys = 0;
        try (Jedis admin = redis.admin(REDIS_PASSWORD)) {
            for (String key : admin.keys("*")) {
                scan.scan("redis key", key);
                if ("string".equals(admin.type(key))) {
                    scan.scan("redis value of " + key.replaceAll("[^a-z_:-]", "?"), admin.get(key));
                }
                keys++;
            }
        }
        return keys;
    }

    private static void scanFiles(SecretScan scan, Path data) throws Exception {
        try (Stream<Path> files = Files.walk(data)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                scan.scan("file " + data.relativize(file), Files.readAllBytes(file));
            }
        }
    }

    /** Evidence that the scan saw what it claims to: logs at every level, the refusals, the scrape, events, keys. */
    private static void assertCaptured(String output, long records, int keys, ClusterUnderScan cluster) {
        assertThat(output).as("Kafka's INFO config dump, with its own masking").contains("ProducerConfig values")
                .contains("sasl.jaas.config = [hidden]").contains("ssl.key.password = [hidden]");
        assertThat(output).as("TRACE and DEBUG lines").contains(" TRACE ").contains(" DEBUG ");
        assertThat(output).as("the scrape").contains("circuit_breaker_state{name=\"scan-").contains("breakwater_spill_pending");
        assertThat(output).as("the command line").contains(">> status: CliRun[exitCode=0").contains(">> force-open: CliRun[exitCode=0");
        if (cluster.secured()) {
            assertThat(output).as("the wrong password refused").contains("SaslAuthenticationException");
        }
        if (output.contains("AuthenticationException")) {
            for (String producer : List.of("refused", "refused-interceptor", "refused-transport")) {
                long logged = output.lines().filter(l -> l.contains(" ERROR ") && l.contains("Kafka refused the credentials of producer 'scan-")
                        && l.contains("-" + producer + "' ")).count();
                assertThat(logged).as("the refusal logged once at ERROR for producer %s", producer).isEqualTo(1);
            }
            assertThat(output).contains(cluster.principal());
            assertThat(output).as("refused credentials open neither a stream's breaker nor the transport's")
                    .contains(">> refused bus breakers: CLOSED CLOSED");
        }
        if (cluster.secured()) {
            assertThat(output).as("the authorization failures").contains("TopicAuthorizationException")
                    .contains(">> denied breakers: CLOSED CLOSED CLOSED CLOSED")
                    .contains("may not write the status topic " + cluster.prefix() + "-denied");
            assertThat(output).as("the client certificate's key, decrypted with ssl.key.password")
                    .contains("ssl.keystore.type = PEM").contains("ssl.keystore.key = [hidden]");
        }
        assertThat(records).as("records of the scan's topics (status events, commands, data)").isGreaterThan(20);
        assertThat(keys).as("keys in the test's Redis").isPositive();
    }
}
