package io.breakwater.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempDirectoriesTest {

    @TempDir
    Path tmp;

    @Test
    void aDataParentIsCreatedWhenMissingAndHoldsANewDirectoryPerCall() {
        Path parent = tmp.resolve("not/yet/there");
        Path first = TempDirectories.create("node-", parent);
        Path second = TempDirectories.create("node-", parent);
        assertThat(first).isDirectory().hasParent(parent);
        assertThat(first.getFileName().toString()).startsWith("node-");
        assertThat(second).isDirectory().isNotEqualTo(first);
    }

    @Test
    void aDataParentThatCannotBeADirectoryGivesAnErrorNamingIt() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> TempDirectories.create("node-", file.resolve("below")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("could not create a directory node-* in " + file.resolve("below"));
    }

    @Test
    void withoutADataParentTheSystemsTemporaryDirectoryIsUsed() {
        Path dir = TempDirectories.create("node-", null);
        try {
            assertThat(dir).isDirectory().hasParent(Path.of(System.getProperty("java.io.tmpdir")));
        } finally {
            TempDirectories.deleteRecursively(dir);
        }
    }

    @Test
    void aForkedBrokerRefusesANullDataParentNamingIt() {
        assertThatThrownBy(() -> ForkedKafkaBroker.builder().dataParent(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("parent");
    }
}
