package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One secured embedded cluster: SASL_SSL with SCRAM and mutual TLS, the ACLs declared and the ones added later, a user
 * whose password has the characters a formatter argument, JAAS or a URL would trip on.
 */
class SecuredClusterTest {

    private static final String ODD_PASSWORD = "p%@ss, w0rd=\"'\\[x];\n//";
    private static final String CLIENT_KEY_PASSWORD = "cl1ent \"key\" p@ss";

    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void start() {
        KafkaSecurity security = KafkaSecurity.builder()
                .user("app", "app-secret")
                .allowTopic("app", "allowed", AclOperation.WRITE, AclOperation.DESCRIBE)
                .user("odd", ODD_PASSWORD)
                .allowTopic("odd", "allowed", AclOperation.WRITE, AclOperation.DESCRIBE)
                .clientCertificates(CLIENT_KEY_PASSWORD)
                .build();
        kafka = EmbeddedKafkaCluster.builder().secured(security).start();
        kafka.createTopic("allowed");
        kafka.createTopic("denied");
        kafka.createTopic("granted-later");
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> client) {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return new KafkaProducer<>(config);
    }

    @Test
    void aUserWritesWhereItsAclsAllowAndNowhereElse() throws Exception {
        try (KafkaProducer<String, String> producer = producer(kafka.clientConfig("app"))) {
            assertThat(producer.send(new ProducerRecord<>("allowed", "k", "v")).get(15, TimeUnit.SECONDS).topic())
                    .isEqualTo("allowed");
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("denied", "k", "v")).get(15, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aPasswordOfOddCharactersLogsIn() throws Exception {
        try (KafkaProducer<String, String> producer = producer(kafka.clientConfig("odd"))) {
            assertThat(producer.send(new ProducerRecord<>("allowed", "k", "v")).get(15, TimeUnit.SECONDS).topic())
                    .isEqualTo("allowed");
        }
    }

    @Test
    void aClientWithoutTheCertificateIsRefusedAtTheHandshake() {
        Map<String, Object> client = kafka.clientConfig("app");
        assertThat(client).containsEntry("ssl.key.password", CLIENT_KEY_PASSWORD);
        client.keySet().removeAll(List.of("ssl.keystore.type", "ssl.keystore.certificate.chain", "ssl.keystore.key",
                "ssl.key.password"));
        try (Admin admin = Admin.create(client)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void aclsAddedAfterTheStartAreInForceWhenCreateAclsReturns() throws Exception {
        kafka.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "granted-later", PatternType.LITERAL),
                new AccessControlEntry("User:app", "*", AclOperation.WRITE, AclPermissionType.ALLOW))));
        try (KafkaProducer<String, String> producer = producer(kafka.clientConfig("app"))) {
            assertThat(producer.send(new ProducerRecord<>("granted-later", "k", "v")).get(15, TimeUnit.SECONDS).topic())
                    .isEqualTo("granted-later");
        }
    }

    @Test
    void aWrongPasswordFailsAuthentication() {
        Map<String, Object> client = new HashMap<>(kafka.security().orElseThrow().clientConfig("odd", "not " + ODD_PASSWORD));
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(client)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void aPlaintextClientGetsNoAnswer() {
        Map<String, Object> client = new HashMap<>();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        client.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        client.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000);
        try (Admin admin = Admin.create(client)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
        }
    }

    @Test
    void theClusterAdminIsASuperUser() throws Exception {
        assertThat(kafka.admin().listTopics().names().get(15, TimeUnit.SECONDS)).contains("allowed", "denied");
        assertThat(kafka.clientConfig()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", kafka.bootstrapServers());
    }

    @Test
    void asATestBrokerItLogsInAsTheAdmin() throws Exception {
        TestBroker broker = TestBroker.of(kafka); // not closed: that would close the class's cluster
        assertThat(broker.kind()).isEqualTo(BrokerKind.EMBEDDED);
        assertThat(broker.clientConfig()).isEqualTo(kafka.clientConfig()).containsEntry("security.protocol", "SASL_SSL");
        broker.createTopic("made-as-a-test-broker", 1, 1, Map.of());
        assertThat(broker.admin().listTopics().names().get(15, TimeUnit.SECONDS)).contains("made-as-a-test-broker");
        assertThat(broker.cluster()).isSameAs(kafka);
    }

    @Test
    void clientConfigNamesTheUsersButNoPassword() {
        assertThatThrownBy(() -> kafka.clientConfig("nobody"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no user 'nobody'")
                .hasMessageContaining("app").hasMessageNotContaining("app-secret");
        assertThat(kafka.security().orElseThrow().toString()).doesNotContain("app-secret")
                .doesNotContain(kafka.security().orElseThrow().password("admin"));
    }
}
