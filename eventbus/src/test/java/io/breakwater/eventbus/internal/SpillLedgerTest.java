package io.breakwater.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spill's bookkeeping of one stream, step by step as the bus and the replay drive it. */
class SpillLedgerTest {

    private final CutOverStats stats = new CutOverStats();
    private final SpillLedger ledger = new SpillLedger("orders", stats);

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

    // What became of the events a cut-over held, in the order it happened: "sent 7", "spilled 7".
    private final List<String> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());

    private final class Event implements CutOver.Held {
        final long order;
        final int bytes;
        // Refused at once when sent: it goes to the spill, as a publication refused by the breaker does.
        boolean refused;

        Event(long admitted, int bytes) {
            assertThat(admitted & SpillLedger.HELD).as("admitted as held for the cut-over").isNotZero();
            this.order = SpillLedger.order(admitted);
            this.bytes = bytes;
        }

        // Thrown when sent: no memory left, say.
        Error fails;
        // Run as it is sent, before anything else.
        Runnable onSend = () -> { };

        @Override
        public void send() {
            outcomes.add("sent " + order + locked());
            onSend.run();
            if (fails != null) {
                throw fails;
            }
            if (refused) {
                ledger.spilling();
            }
        }

        @Override
        public void spill() {
            outcomes.add("spilled " + order + locked());
        }

        /** Kafka's network thread settles under the ledger's lock: an event is never sent or spilled holding it. */
        private String locked() {
            return Thread.holdsLock(ledger) ? " under the ledger's lock" : "";
        }

        @Override
        public int bytes() {
            return bytes;
        }
    }

    private boolean cuttingOver() {
        synchronized (ledger) {
            return ledger.cutOver.holding();
        }
    }

    // When the cut-over of cutOverBegins() began, on System.nanoTime()'s scale (as the replay tells it).
    private long begunAt;

    /** One event spilled and on its way in as the replay sends a batch of every event read: the cut-over starts. */
    private void cutOverBegins() {
        cutOverBegins(System.nanoTime());
    }

    /** As {@link #cutOverBegins()}, at {@code at} on System.nanoTime()'s scale. */
    private void cutOverBegins(long at) {
        ledger.restoreSpilled(2);
        ledger.countedAsHeld();
        ledger.read(false);
        assertThat(ledger.admit()).as("behind the spilled ones").isNegative();   // on its way in, not in the read
        begunAt = at;
        ledger.replaySent(true, true, begunAt);
        assertThat(cuttingOver()).isTrue();
    }

    /** The one on its way in lands, the first batch went through, and the replay reads the spill again. */
    private void lastOneLandsAndTheFirstBatchWentThrough() {
        ledger.appendEnded(true, true);
        ledger.replayFinished(2, true);
        ledger.countedAsHeld();
        ledger.read(false);
    }

    private Event held(int bytes) {
        Event event = new Event(ledger.admit(), bytes);
        assertThat(ledger.cutOver.hold(event)).as("held, not sent by the caller").isFalse();
        return event;
    }

    @Test
    void underASteadyLoadTheEventsBehindTheLastSpilledOnesAreHeldThenSentInOrderOnceTheReplayHasSentThoseToo() {
        cutOverBegins();
        Event first = held(10);
        Event second = held(10);
        assertThat(outcomes).as("nothing sent while the spilled one is on its way in").isEmpty();
        assertThat(stats.heldEvents.sum()).as("in the spill's pending count").isEqualTo(2);
        assertThat(stats.heldBytes.sum()).isEqualTo(20);

        ledger.appendEnded(true, true);     // it lands
        ledger.replayFinished(2, true);      // the first batch went through
        ledger.countedAsHeld();
        ledger.read(false);
        ledger.replaySent(true, true, System.nanoTime());    // a batch of the last one, none on its way in
        ledger.cutOver.cutOver();
        assertThat(outcomes).containsExactly("sent " + first.order, "sent " + second.order);
        assertThat(cuttingOver()).isFalse();
        long next = ledger.admit();
        assertThat(next).as("new events go directly, behind them").isPositive().isLessThan(SpillLedger.HELD);
        assertThat(next).isGreaterThan(second.order);
        ledger.replayFinished(1, true);
        assertThat(ledger.spilled()).isZero();
        assertThat(stats.heldEvents.sum() + stats.heldBytes.sum()).as("none held now").isZero();
        assertThat(stats.begun.sum()).isEqualTo(1);
        assertThat(stats.givenUp.sum()).isZero();
    }

    @Test
    void aCutOverNeedsTheBreakerClosed() {
        ledger.restoreSpilled(2);
        ledger.countedAsHeld();
        ledger.read(false);
        ledger.admit();
        ledger.replaySent(true, false, System.nanoTime());   // HALF_OPEN: the held events would be refused by the trials' limit
        assertThat(cuttingOver()).isFalse();
        assertThat(ledger.admit()).isNegative();
    }

    @Test
    void aFailedBatchSendsTheHeldEventsToTheSpillInOrderAndNewOnesFollowThem() {
        cutOverBegins();
        Event first = held(10);
        Event second = held(10);
        ledger.replayFinished(1, false);     // the cluster failed part of the batch
        assertThat(outcomes).containsExactly("spilled " + first.order, "spilled " + second.order);
        assertThat(cuttingOver()).isFalse();
        assertThat(stats.givenUp.sum()).as("a give-up, counted").isEqualTo(1);
        assertThat(stats.heldEvents.sum() + stats.heldBytes.sum()).as("none held now").isZero();
        assertThat(ledger.spilled()).as("1 waiting again, 1 on its way in, the 2 held").isEqualTo(4);
        assertThat(ledger.admit()).isNegative();
    }

    @Test
    void aCutOverThatLastsTooLongIsGivenUp() {
        cutOverBegins();
        Event first = held(10);
        ledger.cutOver.expire(begunAt + CutOver.MAX_NANOS, true);
        assertThat(outcomes).isEmpty();
        ledger.cutOver.expire(begunAt + CutOver.MAX_NANOS + 1, true);
        assertThat(outcomes).containsExactly("spilled " + first.order);
        assertThat(cuttingOver()).isFalse();
    }

    @Test
    void anEventHeldPastTheTimeLimitGivesTheCutOverUpThoughTheReplayDoesNotTick() {
        // The replay's thread (stuck in the store's I/O, say) has not ticked since the cut-over began, 2 s ago.
        cutOverBegins(System.nanoTime() - CutOver.MAX_NANOS - 1_000_000);
        Event late = new Event(ledger.admit(), 10);
        assertThat(ledger.cutOver.hold(late)).as("not sent by the caller").isFalse();
        assertThat(outcomes).containsExactly("spilled " + late.order);
        assertThat(cuttingOver()).isFalse();
        assertThat(stats.givenUp.sum()).isEqualTo(1);
    }

    @Test
    void tooManyHeldEventsOrBytesGiveTheCutOverUp() {
        cutOverBegins();
        for (int i = 0; i < CutOver.MAX_EVENTS; i++) {
            held(1);
        }
        assertThat(outcomes).isEmpty();
        Event one = new Event(ledger.admit(), 1);
        assertThat(stats.heldEvents.sum()).isEqualTo(CutOver.MAX_EVENTS);
        assertThat(ledger.cutOver.hold(one)).isFalse();
        assertThat(outcomes).hasSize(CutOver.MAX_EVENTS + 1).last().isEqualTo("spilled " + one.order);
        assertThat(cuttingOver()).isFalse();
        assertThat(stats.heldEvents.sum() + stats.heldBytes.sum()).isZero();
        assertThat(stats.givenUp.sum()).isEqualTo(1);

        outcomes.clear();
        ledger.appendEnded(true, true);
        SpillLedgerTest fresh = new SpillLedgerTest();
        fresh.cutOverBegins();
        fresh.held((int) (CutOver.MAX_BYTES / 2));
        SpillLedgerTest.Event big = fresh.new Event(fresh.ledger.admit(), (int) (CutOver.MAX_BYTES / 2) + 1);
        assertThat(fresh.ledger.cutOver.hold(big)).isFalse();
        assertThat(fresh.outcomes).hasSize(2).last().isEqualTo("spilled " + big.order);
    }

    @Test
    void anEventRefusedAtOnceAsTheHeldOnesAreSentTakesEveryOneBehindItToTheSpill() {
        cutOverBegins();
        Event first = held(10);
        first.refused = true;
        Event second = held(10);
        lastOneLandsAndTheFirstBatchWentThrough();
        ledger.replaySent(true, true, System.nanoTime());
        ledger.cutOver.cutOver();
        assertThat(outcomes).containsExactly("sent " + first.order, "spilled " + second.order);
        assertThat(ledger.admit()).as("behind them, in the spill").isNegative();
    }

    @Test
    void anEventAdmittedAsHeldAfterTheCutOverEndedGoesWhereTheStreamNowSends() {
        cutOverBegins();
        long admitted = ledger.admit();
        ledger.replayFinished(1, false);     // given up before the caller hands its event over
        Event late = new Event(admitted, 10);
        assertThat(ledger.cutOver.hold(late)).isFalse();
        assertThat(outcomes).containsExactly("spilled " + late.order);

        SpillLedgerTest other = new SpillLedgerTest();
        other.cutOverBegins();
        long early = other.ledger.admit();
        other.lastOneLandsAndTheFirstBatchWentThrough();
        other.ledger.replaySent(true, true, System.nanoTime());
        other.ledger.cutOver.cutOver();           // the cut-over ends, nothing held yet
        assertThat(other.ledger.cutOver.hold(other.new Event(early, 10))).as("the caller sends it, behind the replay").isTrue();
        assertThat(other.outcomes).isEmpty();
    }

    @Test
    void unadmitOfAHeldEventSettlesItsOrder() {
        cutOverBegins();
        long admitted = ledger.admit();
        long floor = ledger.replayFloor();
        ledger.unadmit(admitted);
        assertThat(ledger.replayFloor()).isEqualTo(floor);   // the spilled one on its way in is still the lowest
        ledger.appendEnded(true, true);
        ledger.settled(floor);
        assertThat(ledger.replayFloor()).as("nothing unsettled: the next order").isGreaterThan(SpillLedger.order(admitted));
    }

    @Test
    void aCutOverIsGivenUpWhenTheStreamsBreakerLeavesClosedWhateverItsAge() {
        cutOverBegins();
        Event first = held(10);
        ledger.cutOver.expire(1, false);
        assertThat(outcomes).containsExactly("spilled " + first.order);
    }

    @Test
    void aClosedLedgerGivesItsCutOverUpAndBeginsNoOther() {
        cutOverBegins();
        Event first = held(10);
        ledger.cutOver.close();
        assertThat(outcomes).containsExactly("spilled " + first.order);
        ledger.appendEnded(true, true);
        ledger.countedAsHeld();
        ledger.read(false);
        assertThat(ledger.admit()).isNegative();   // behind the spilled ones
        ledger.replaySent(true, true, System.nanoTime());
        assertThat(cuttingOver()).isFalse();
    }

    @Test
    void anEventThatThrowsAsItIsSentLeavesTheOnesBehindItHeldForTheNextTry() {
        cutOverBegins();
        Event first = held(10);
        first.fails = new OutOfMemoryError("test");
        Event second = held(10);
        lastOneLandsAndTheFirstBatchWentThrough();
        ledger.replaySent(true, true, System.nanoTime());
        org.assertj.core.api.Assertions.assertThatThrownBy(ledger.cutOver::cutOver).isSameAs(first.fails);
        assertThat(cuttingOver()).as("the second still held, not lost").isTrue();
        ledger.cutOver.cutOver();   // the next tick
        assertThat(outcomes).containsExactly("sent " + first.order, "sent " + second.order);
        assertThat(cuttingOver()).isFalse();
    }

    /** Event k is on its way to the transport (its send waits for {@code release}) on another thread, the replay's. */
    private Thread sendingFirst(Event first, java.util.concurrent.CountDownLatch inSend,
                                java.util.concurrent.CountDownLatch release) {
        first.onSend = () -> {
            inSend.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        lastOneLandsAndTheFirstBatchWentThrough();
        Thread replay = new Thread(() -> {
            ledger.replaySent(true, true, System.nanoTime());
            ledger.cutOver.cutOver();
        }, "replay");
        replay.start();
        return replay;
    }

    @Test
    void aCutOverGivenUpWhileItsLastEventIsOnItsWaySendsNoLaterOneAroundIt() throws Exception {
        cutOverBegins();
        Event first = held(10);
        java.util.concurrent.CountDownLatch inSend = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread replay = sendingFirst(first, inSend, release);
        assertThat(inSend.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        ledger.cutOver.close();   // the bus closes, say, with nothing else held
        long admitted = ledger.admit();
        assertThat(admitted & SpillLedger.HELD).as("still answered as held").isNotZero();
        Event next = new Event(admitted, 10);
        assertThat(ledger.cutOver.hold(next)).as("not sent by the caller around event " + first.order).isFalse();
        assertThat(outcomes).containsExactly("sent " + first.order, "spilled " + next.order);

        release.countDown();
        replay.join(10_000);
        assertThat(cuttingOver()).isFalse();
    }

    @Test
    void theByteLimitCountsWhatIsHeldNowNotWhatWasSent() throws Exception {
        cutOverBegins();
        int half = (int) (CutOver.MAX_BYTES / 2);
        Event first = held(half);
        held(half);
        java.util.concurrent.CountDownLatch inSend = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread replay = sendingFirst(first, inSend, release);
        assertThat(inSend.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        Event third = new Event(ledger.admit(), half);
        assertThat(ledger.cutOver.hold(third)).isFalse();
        assertThat(outcomes).as("the first is out of the cut-over's bytes: the third fits").containsExactly("sent " + first.order);
        release.countDown();
        replay.join(10_000);
        assertThat(outcomes).hasSize(3).last().isEqualTo("sent " + third.order);
    }
}
