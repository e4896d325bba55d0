package io.breakwater.breaker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WindowTest {

    @Test
    void theCountWindowHoldsExactlyTheLastOutcomes() {
        Random random = new Random(20_260_101L);
        for (int size = 1; size <= 12; size++) {
            for (int run = 0; run < 25; run++) {
                List<Integer> outcomes = new ArrayList<>();
                CountWindow window = new CountWindow(size);
                for (int i = random.nextInt(61); i > 0; i--) {
                    int outcome = 1 + random.nextInt(4);
                    outcomes.add(outcome);
                    window.record(outcome, 0);
                }
                List<Integer> last = outcomes.subList(Math.max(0, outcomes.size() - size), outcomes.size());
                assertThat(window.totals(0)).as("window of %d after %s", size, outcomes).isEqualTo(new WindowTotals(
                        last.size(),
                        (int) last.stream().filter(Outcome::isFailure).count(),
                        (int) last.stream().filter(Outcome::isSlow).count()));
            }
        }
    }

    @Test
    void theCountWindowDoesNotDriftUnderContentionWithMixedOutcomes() throws Exception {
        int size = 64;
        CountWindow window = new CountWindow(size);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Random random = new Random(t);
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 200_000; i++) {
                        window.record(1 + random.nextInt(4), 0);
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        WindowTotals raced = window.totals(0);
        assertThat(raced.calls()).isEqualTo(size);

        // The totals move by the difference between each new outcome and the one it replaces, so a count
        // that drifted from the slots during the race stays off by as much once every slot is rewritten.
        int[] known = {Outcome.SUCCESS, Outcome.FAILURE, Outcome.SLOW_SUCCESS, Outcome.SLOW_FAILURE};
        for (int i = 0; i < size; i++) {
            window.record(known[i % known.length], 0);
        }
        assertThat(window.totals(0)).as("totals after the race (%s), once every slot holds a known outcome", raced)
                .isEqualTo(new WindowTotals(size, size / 2, size / 2));
    }

    @Test
    void theTimeWindowForgetsBucketsOlderThanItsLength() {
        TimeWindow window = new TimeWindow(3, 1);
        long second = 1_000_000_000L;
        window.record(Outcome.FAILURE, 0);
        window.record(Outcome.SUCCESS, second);
        window.record(Outcome.SLOW_SUCCESS, 2 * second + 5);
        assertThat(window.totals(2 * second + 10)).isEqualTo(new WindowTotals(3, 1, 1));
        assertThat(window.totals(3 * second)).isEqualTo(new WindowTotals(2, 0, 1));
        assertThat(window.totals(5 * second)).isEqualTo(new WindowTotals(0, 0, 0));
        window.record(Outcome.FAILURE, 6 * second);
        assertThat(window.totals(6 * second)).isEqualTo(new WindowTotals(1, 1, 0));
    }

    @Test
    void theTimeWindowCountsEveryCallUnderContention() throws Exception {
        TimeWindow window = new TimeWindow(10, 1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CyclicBarrier start = new CyclicBarrier(4);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 100_000; i++) {
                        window.record(i % 4 == 0 ? Outcome.FAILURE : Outcome.SUCCESS, 5_000_000_000L);
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(window.totals(5_000_000_000L)).isEqualTo(new WindowTotals(400_000, 100_000, 0));
    }

    @Test
    void theTimeWindowAsksForACheckUntilAReadFoundTheMinimumInThatSecond() {
        TimeWindow window = new TimeWindow(10, 3);
        long second = 1_000_000_000L;
        assertThat(window.record(Outcome.SUCCESS, 0)).as("first record: a new second").isEqualTo(-1);
        assertThat(window.record(Outcome.SUCCESS, 1)).as("no read yet").isEqualTo(-1);
        assertThat(window.totals(2).calls()).isEqualTo(2);
        assertThat(window.record(Outcome.SUCCESS, 3)).as("the last read found fewer than the minimum").isEqualTo(-1);
        assertThat(window.totals(4).calls()).isEqualTo(3);

        assertThat(window.record(Outcome.SUCCESS, 5)).as("the minimum held, and nothing has left since").isZero();
        assertThat(window.record(Outcome.SUCCESS, second)).as("a new second: old outcomes may leave").isEqualTo(-1);
        assertThat(window.record(Outcome.SUCCESS, second + 1)).as("no read in this second yet").isEqualTo(-1);
        assertThat(window.totals(second + 2).calls()).isEqualTo(6);
        assertThat(window.record(Outcome.SUCCESS, second + 3)).isZero();
    }

    @Test
    void theTimeWindowCountsTheCallsOfMoreThreadsThanSlotsAsSecondsPass() throws Exception {
        int threads = 2 * Stripes.SLOTS + 1;
        int perThread = 50_000;
        long second = 1_000_000_000L;
        TimeWindow window = new TimeWindow(10, 1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        // Seconds 0 to 4, each thread at its own pace, so threads that share a ring roll it by turns.
                        long now = (long) i * 5 / perThread * second + i % 1000;
                        window.record(i % 4 == 0 ? Outcome.FAILURE : i % 4 == 1 ? Outcome.SLOW_SUCCESS : Outcome.SUCCESS, now);
                    }
                    return null;
                }));
            }
            WindowTotals last = WindowTotals.EMPTY;
            while (!writers.stream().allMatch(Future::isDone)) {
                WindowTotals now = window.totals(4 * second);
                assertThat(now.calls()).as("read while counting: never back, never beyond what was recorded")
                        .isGreaterThanOrEqualTo(last.calls()).isLessThanOrEqualTo((long) threads * perThread);
                assertThat(now.failures()).isGreaterThanOrEqualTo(last.failures());
                last = now;
            }
            for (Future<?> f : writers) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long total = (long) threads * perThread;
        assertThat(window.totals(4 * second)).isEqualTo(new WindowTotals(total, total / 4, total / 4));
        assertThat(window.totals(15 * second)).as("all of it left the window").isEqualTo(WindowTotals.EMPTY);
    }

    @Test
    void secretsAreMaskedInFailureDescriptions() {
        assertThat(Failures.sanitize("sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"))
                .isEqualTo("sasl.jaas.config=**** required");
        assertThat(Failures.sanitize("connect to redis://user:s3cret@host:6379 failed"))
                .isEqualTo("connect to redis://user:****@host:6379 failed");
        assertThat(Failures.sanitize("Authorization: Bearer abc.def.ghi")).doesNotContain("abc.def.ghi");
        assertThat(Failures.sanitize("token: \"xyz\" rejected")).isEqualTo("token: **** rejected");
        assertThat(Failures.sanitize("x".repeat(600))).hasSize(Failures.MAX_LENGTH);
    }

    @Test
    void aPasswordWithASlashOrAnAtInAUriIsMaskedWhole() {
        assertThat(Failures.sanitize("connect to redis://u:pa/ss@host:6379 failed"))
                .isEqualTo("connect to redis://u:****@host:6379 failed");
        assertThat(Failures.sanitize("connect to redis://u:p@ss@host:6379 failed"))
                .isEqualTo("connect to redis://u:****@host:6379 failed");
        assertThat(Failures.sanitize("redis://:p@/s:s@host/0 and postgresql://db:5432/x"))
                .isEqualTo("redis://:****@host/0 and postgresql://db:5432/x");
    }

    @Test
    void aQuotedSecretIsMaskedWholeEscapedQuotesAndAll() {
        assertThat(Failures.sanitize("password=\"ab\\\"cd ef\" rest")).isEqualTo("password=**** rest");
        assertThat(Failures.sanitize("password='ab\\'cd ef' rest")).isEqualTo("password=**** rest");
        assertThat(Failures.sanitize("password=\"never closed, and more")).isEqualTo("password=****");
        assertThat(Failures.sanitize("username=\"u\" password=\"p\\\\\" rest")).isEqualTo("username=\"u\" password=**** rest");
    }

    @Test
    void kafkasPasswordSettingsAndPemKeysAreMasked() {
        assertThat(Failures.sanitize("sasl.oauthbearer.assertion.private.key.passphrase=ph1 next"))
                .isEqualTo("sasl.oauthbearer.assertion.private.key.passphrase=**** next");
        assertThat(Failures.sanitize("sasl.oauthbearer.client.credentials.client.secret: s2 next")).doesNotContain("s2");
        assertThat(Failures.sanitize("ssl.keystore.key=-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIEkey\n"
                + "-----END ENCRYPTED PRIVATE KEY----- next")).doesNotContain("MIIEkey").endsWith(" next");
        assertThat(Failures.sanitize("cut: -----BEGIN PRIVATE KEY-----\nMIIEkey")).doesNotContain("MIIEkey");
    }
}
