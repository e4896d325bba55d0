package io.breakwater.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadmeSnippetsTest {

    @Test
    void aSnippetIsTheCodeBlockAfterItsMarker() throws Exception {
        assertThat(ReadmeSnippets.snippet("core"))
                .startsWith("import io.breakwater.breaker.*;")
                .contains("CircuitBreakerRegistry.global()")
                .doesNotContain("```");
    }

    @Test
    void aMissingSnippetIsNamed() {
        assertThatThrownBy(() -> ReadmeSnippets.snippet("no-such-snippet"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("README.md has no snippet 'no-such-snippet'");
    }

    @Test
    void aSnippetCompiledAsAClassMustDeclareOne() {
        assertThatThrownBy(() -> ReadmeSnippets.compileClass("core"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("README snippet 'core' declares no public class");
    }
}
