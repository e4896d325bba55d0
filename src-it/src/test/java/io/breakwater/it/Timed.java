package io.breakwater.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A class whose tests assert how soon something happens (a breaker opens within 2.5 s, a consumer polls within its
 * interval): the build runs these one after another in a JVM of their own, with no other test beside them, and the
 * rest two at a time (src-it's pom).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("timed")
@interface Timed {
}
