package io.breakwater.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.testkit.RealBroker;
import io.breakwater.testkit.TestBroker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client nobody here wrote (Debian's kcat) against the test broker. */
@RealBroker
class KcatIT {

    @BeforeAll
    static void needsKcat() {
        Kcat.require();
    }

    @Test
    void kcatListsTheClusterMetadata(TestBroker broker) throws Exception {
        broker.createTopic("kcat-metadata", 2, 1, Map.of());
        String metadata = Kcat.run("-b", broker.bootstrapServers(), "-L", "-t", "kcat-metadata");
        assertThat(metadata).contains("broker").contains("topic \"kcat-metadata\" with 2 partitions");
    }

    @Test
    void kcatConsumesATopicWrittenFromJava(TestBroker broker) throws Exception {
        broker.createTopic("kcat-consume", 1, 1, Map.of());
        Records.produce(broker.bootstrapServers(), "kcat-consume", 25);
        String consumed = Kcat.run("-b", broker.bootstrapServers(), "-C", "-t", "kcat-consume",
                "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n");
        List<String> lines = consumed.lines().toList();
        assertThat(lines).hasSize(25).startsWith("key-0=0", "key-1=1").endsWith("key-8=24");
    }
}
