package io.breakwater.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusClientsTest {

    private static Map<String, Object> host() {
        Map<String, Object> host = new HashMap<>();
        host.put("bootstrap.servers", "127.0.0.1:9093");
        host.put("security.protocol", "SSL");
        host.put("client.id", "orders");
        host.put("interceptor.classes", "io.breakwater.interceptors.CircuitBreakerProducerInterceptor");
        host.put("acks", "all");
        host.put("breakwater.breaker.name", "orders");
        host.put("org.example.TrustMaterial", "bundle");
        return host;
    }

    @Test
    void keepsTheConnectionAndSecuritySettingsOnly() {
        assertThat(StatusClients.of(host(), "test")).containsOnlyKeys("bootstrap.servers", "security.protocol");
    }

    @Test
    void aCustomSslEngineFactoryKeepsItsOwnSettingsButNotTheHostsIdentityNorBreakwatersKeys() {
        Map<String, Object> host = host();
        host.put("ssl.engine.factory.class", "org.example.BundleEngineFactory");
        assertThat(StatusClients.of(host, "test")).containsOnlyKeys("bootstrap.servers", "security.protocol",
                "ssl.engine.factory.class", "org.example.TrustMaterial")
                .containsEntry("org.example.TrustMaterial", "bundle");
    }

    @Test
    void aSaslCallbackHandlerKeepsItsOwnSettingsToo() {
        Map<String, Object> host = host();
        host.put("sasl.login.callback.handler.class", "org.example.TokenHandler");
        assertThat(StatusClients.of(host, "test")).containsKeys("org.example.TrustMaterial")
                .doesNotContainKeys("client.id", "interceptor.classes", "acks", "breakwater.breaker.name");
    }
}
