package io.breakwater.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The spill's bookkeeping of one stream, step by step as the bus and the replay drive it. */
class SpillLedgerTest {

    private final SpillLedger ledger = new SpillLedger("orders");

    @Test
    void anAppendTheStoreReportedFailedHasTheSpillReadAgainButOneThatNeverReachedItDoesNot() {
        ledger.spilling();
        ledger.appendEnded(false, false);   // refused before the store saw it: a full spill, the bus closing
        assertThat(ledger.replayDue()).as("nothing held, nothing to look for").isFalse();

        ledger.spilling();
        ledger.appendEnded(false, true);    // the store's append failed: its commit may have happened
        assertThat(ledger.replayDue()).as("the spill is read to see").isTrue();
        assertThat(ledger.admit()).as("meanwhile new events go directly, as the counts say").isPositive();

        ledger.countedAsHeld();
        ledger.read(true);                  // the read found nothing there
        assertThat(ledger.replayDue()).isFalse();
    }

    @Test
    void anAppendReportedFailedThatTheReadFindsSendsNewEventsBehindItUntilABatchHoldsEverything() {
        ledger.spilling();
        ledger.appendEnded(false, true);
        ledger.countedAsHeld();
        ledger.read(false);                 // it happened: the event is there
        long behind = ledger.admit();
        assertThat(behind).as("a new event goes to the spill, behind it").isNegative();
        ledger.appendEnded(true, true);     // that one is durable there too

        ledger.countedAsHeld();
        ledger.read(false);
        ledger.replaySent(true);            // a batch of every event held
        assertThat(ledger.admit()).as("new events go directly, behind the batch").isPositive();
        ledger.replayFinished(2, true);
        assertThat(ledger.spilled()).isZero();
        assertThat(ledger.replayDue()).isFalse();
    }

    @Test
    void aFailureSinceTheReadBeganIsLookedForByTheNextRead() {
        ledger.countedAsHeld();             // a read begins
        ledger.spilling();
        ledger.appendEnded(false, true);    // an append fails meanwhile: the read may have missed it
        ledger.read(true);
        assertThat(ledger.replayDue()).isTrue();
        ledger.countedAsHeld();
        ledger.read(true);
        assertThat(ledger.replayDue()).isFalse();
    }

    @Test
    void aBatchOfPartOfTheSpillKeepsNewEventsInItEvenWhenItHoldsAsManyAsTheCountsSay() {
        ledger.restoreSpilled(3);
        ledger.countedAsHeld();
        ledger.replaySent(false);           // a read of part of what is held: 3 events, one of them not counted, say
        assertThat(ledger.admit()).as("behind what the batch left").isNegative();
        ledger.appendEnded(true, true);
        ledger.replayFinished(3, true);
        assertThat(ledger.spilled()).as("the new one, counted").isEqualTo(1);
        assertThat(ledger.replayDue()).isTrue();
        assertThat(ledger.admit()).as("until the spill is read again").isNegative();
    }

    @Test
    void anEventThatLandedAfterTheReadKeepsTheBatchFromCountingAsWhole() {
        ledger.spilling();                  // on its way in as the replay reads
        ledger.countedAsHeld();
        ledger.appendEnded(true, true);     // it lands after the read began: not in the batch
        ledger.replaySent(true);
        assertThat(ledger.admit()).as("it waits in the spill: new events go behind it").isNegative();
    }
}
