package io.breakwater.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** How the ledger counts a stuck record's failed attempts. */
class LedgerTest {

    private final Ledger ledger = new Ledger();
    private final ConsumerRecord<String, String> record = new ConsumerRecord<>("orders", 0, 7, "k", "v");

    @Test
    void attemptsInARowStartAgainAfterATransitionWhenNothingSucceededSince() {
        ledger.failedAttempt(record, 0, 5, 0);
        ledger.failedAttempt(record, 0, 5, 0);
        Ledger.Attempts a = ledger.failedAttempt(record, 2, 5, 0);

        assertThat(a.inRow).isEqualTo(1);
        assertThat(a.inAll).isEqualTo(3);
    }

    @Test
    void attemptsInARowGoOnAcrossATransitionWhenSomethingElseSucceededSince() {
        ledger.failedAttempt(record, 0, 5, 0);
        ledger.failedAttempt(record, 0, 5, 0);
        Ledger.Attempts a = ledger.failedAttempt(record, 2, 6, 0);

        assertThat(a.inRow).isEqualTo(3);
        assertThat(a.inAll).isEqualTo(3);
    }

    @Test
    void theFailedRecordHandlersTriesAreCountedApartAndEndWithTheRecord() {
        ledger.failedAttempt(record, 0, 0, 0);
        ledger.failedAttempt(record, 0, 0, 0);

        assertThat(ledger.failedHandOver(record)).isEqualTo(1);
        assertThat(ledger.failedHandOver(record)).isEqualTo(2);
        ledger.handled(record);
        assertThat(ledger.failedHandOver(record)).isEqualTo(1);
        assertThat(ledger.failedAttempt(record, 0, 0, 0).inRow).isEqualTo(1);
    }

    @Test
    void anotherRecordAtTheSameOffsetAfterAnUncleanElectionStartsAfresh() {
        ConsumerRecord<String, String> before = epoch(1);
        ledger.failedAttempt(before, 0, 0, 0);
        ledger.failedAttempt(before, 0, 0, 0);
        ledger.handOverRefused(before, new IllegalStateException("dead-letter producer refused"));
        assertThat(ledger.handOverDue(before)).isNotNull();

        ConsumerRecord<String, String> after = epoch(2);   // the log truncated, and another record written at offset 7
        assertThat(ledger.handOverDue(after)).as("the new record goes to its own handler").isNull();
        assertThat(ledger.failedAttempt(after, 0, 0, 0).inRow).isEqualTo(1);
        assertThat(ledger.failedAttempt(record, 0, 0, 0).inRow).as("a record without an epoch matches by offset")
                .isEqualTo(2);
    }

    @Test
    void anEpochLearnedAfterTheFirstAttemptStillTellsAnotherRecordApart() {
        ledger.failedAttempt(record, 0, 0, 0);   // read without an epoch
        ledger.failedAttempt(epoch(1), 0, 0, 0);
        assertThat(ledger.failedAttempt(epoch(1), 0, 0, 0).inRow).isEqualTo(3);
        assertThat(ledger.failedAttempt(epoch(2), 0, 0, 0).inRow).as("another record at offset 7").isEqualTo(1);
    }

    private static ConsumerRecord<String, String> epoch(int leaderEpoch) {
        return new ConsumerRecord<>("orders", 0, 7, -1L, org.apache.kafka.common.record.TimestampType.NO_TIMESTAMP_TYPE, 1, 1,
                "k", "v", new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.of(leaderEpoch));
    }
}
