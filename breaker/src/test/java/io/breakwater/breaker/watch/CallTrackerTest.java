package io.breakwater.breaker.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.breakwater.breaker.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CallTrackerTest {

    private final ManualClock clock = new ManualClock();
    private final CallTracker tracker = new CallTracker("t", clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), 16, false);
    private final List<String> expired = new ArrayList<>();

    private final class Named extends TrackedCall {
        final String name;

        Named(String name) {
            super(clock.nanoTime());
            this.name = name;
        }

        @Override
        protected void expired(boolean blocked, long ageNanos) {
            expired.add(name + (blocked ? " blocked " : " unanswered ") + ageNanos / 1_000_000);
        }
    }

    private Named begin(String name, boolean returned) {
        Named call = new Named(name);
        tracker.begin(call);
        if (returned) {
            tracker.returned(call);
        }
        return call;
    }

    @Test
    void aCallWhoseClockStartsLateIsTimedFromItsStartAndCannotRestartOnceBegun() {
        class Late extends TrackedCall {
            @Override
            protected void expired(boolean blocked, long ageNanos) {
                expired.add("late " + (blocked ? "blocked " : "unanswered ") + ageNanos / 1_000_000);
            }
        }
        Late call = new Late();
        clock.advance(Duration.ofSeconds(5));   // made long before it is handed over: not part of its age
        call.start(clock.nanoTime());
        tracker.begin(call);
        tracker.returned(call);

        clock.advance(Duration.ofMillis(1_500));
        tracker.run();
        assertThat(expired).isEmpty();
        clock.advance(Duration.ofMillis(600));
        tracker.run();
        assertThat(expired).containsExactly("late unanswered 2100");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> call.start(clock.nanoTime()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before it is begun");
    }

    @Test
    void aTrackerThatNoCallHasReachedChecksCleanlyThenTracksItsFirstCall() {
        tracker.run();
        clock.advance(Duration.ofSeconds(5));
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(-1);
        assertThat(tracker.failingRunNanos()).isEqualTo(-1);

        begin("first", true);
        clock.advance(Duration.ofSeconds(2));
        tracker.run();

        assertThat(expired).containsExactly("first unanswered 2000");
    }

    @Test
    void moreCallsInFlightThanTheFirstRingHoldsGrowItAndEachExpiresOnce() {
        CallTracker wide = new CallTracker("wide", clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), 1024, false);
        List<Named> calls = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // past the first ring, with a check every 8 calls
            Named call = new Named("c" + i);
            wide.begin(call);
            wide.returned(call);
            calls.add(call);
            if (i % 2 == 0) {
                assertThat(wide.answer(call)).isTrue(); // half are answered: their slots may be reused, not the others'
            }
            if (i % 8 == 7) {
                wide.run();
            }
        }
        clock.advance(Duration.ofSeconds(2));
        wide.run();
        assertThat(expired).as("every unanswered call is still tracked").hasSize(150)
                .allMatch(e -> Integer.parseInt(e.substring(1, e.indexOf(' '))) % 2 == 1);
        wide.run();
        assertThat(expired).as("once each").hasSize(150);
        calls.forEach(wide::answer);
        wide.run();
        assertThat(wide.idle()).as("all answered and seen").isTrue();
    }

    @Test
    void aBurstLargerThanTheRingWithinOneTickForgetsItsOldestUntilTheNextTickGrowsIt() {
        CallTracker wide = new CallTracker("wide", clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), 1024, false);
        for (int i = 0; i < 40; i++) {
            Named call = new Named("first" + i);
            wide.begin(call);
            wide.returned(call);
        }
        wide.run(); // finds a first ring's worth of them in flight: the ring grows
        for (int i = 0; i < 40; i++) {
            Named call = new Named("second" + i);
            wide.begin(call);
            wide.returned(call);
        }
        clock.advance(Duration.ofSeconds(2));
        wide.run();
        int kept = CallRing.FIRST_SLOTS;
        assertThat(expired).as("the first burst's last " + kept + ", and all of the second").hasSize(kept + 40)
                .filteredOn(e -> e.startsWith("first")).hasSize(kept).first().isEqualTo("first" + (40 - kept) + " unanswered 2000");
    }

    @Test
    void anAnsweredCallLeavesItsSlotOnceTheCheckPassedItAndAPendingOneStays() {
        Named answered = begin("answered", true);
        Named pending = begin("pending", true);
        Named behind = begin("behind", true);
        assertThat(tracker.answer(answered)).isTrue();
        assertThat(tracker.answer(behind)).isTrue();
        tracker.run();
        TrackedCall[] slots = tracker.slotsFor(0, tracker.issued());
        assertThat(CallRing.at(slots, answered.ticket)).as("passed by the cursor: let go").isNull();
        assertThat(CallRing.at(slots, pending.ticket)).isSameAs(pending);
        assertThat(CallRing.at(slots, behind.ticket)).as("answered, but behind a pending call").isSameAs(behind);
        assertThat(tracker.answer(pending)).isTrue();
        tracker.run();
        assertThat(CallRing.at(slots, pending.ticket)).isNull();
        assertThat(CallRing.at(slots, behind.ticket)).isNull();
        assertThat(tracker.idle()).isTrue();
    }

    @Test
    void atCapacityAPendingCallIsForgottenNotExpired() {
        CallTracker small = new CallTracker("small", clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), 4, false);
        for (int i = 0; i < 6; i++) {
            Named call = new Named("c" + i);
            small.begin(call);
            small.returned(call);
        }
        clock.advance(Duration.ofSeconds(2));
        small.run();
        assertThat(expired).containsExactly("c2 unanswered 2000", "c3 unanswered 2000", "c4 unanswered 2000",
                "c5 unanswered 2000");
    }

    @Test
    void anExpiredCallStillCountsAsPendingUntilItsAnswerComes() {
        Named stuck = begin("stuck", true);
        clock.advance(Duration.ofMillis(500));
        Named quick = begin("quick", true);
        assertThat(tracker.answer(quick)).isTrue();
        clock.advance(Duration.ofMillis(1500));
        tracker.run();
        assertThat(expired).containsExactly("stuck unanswered 2000");
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(2).toNanos());
        clock.advance(Duration.ofSeconds(3));
        tracker.run();
        assertThat(expired).as("expired once only").hasSize(1);
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(tracker.answer(stuck)).as("its late answer is not recorded again").isFalse();
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(-1);
    }

    @Test
    void aBlockedCallExpiresAtTheBlockThresholdAndStaysPending() {
        Named blocked = begin("blocked", false);
        clock.advance(Duration.ofSeconds(1));
        tracker.run();
        assertThat(expired).containsExactly("blocked blocked 1000");
        tracker.returned(blocked);
        clock.advance(Duration.ofSeconds(2));
        tracker.run();
        assertThat(expired).as("returning does not make it expire again").hasSize(1);
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(3).toNanos());
    }

    @Test
    void withNothingPendingTheAgeIsMinusOne() {
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(-1);
        Named call = begin("a", true);
        tracker.answer(call);
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(-1);
    }

    @Test
    void aCallThatPausedBeforeItsTicketIsFoundBehindALaterTicketAndExpiredOnTime() {
        Named early = new Named("early");       // read the clock, then paused before its ticket
        clock.advance(Duration.ofMillis(400));  // under half the smaller threshold (1 s)
        begin("later", false);
        tracker.begin(early);
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime()))
                .as("the walk stops at the young call ahead").isEqualTo(0);

        clock.advance(Duration.ofMillis(600)); // later: 600 ms old; early: 1000 ms, at the block threshold
        tracker.run();
        assertThat(expired).containsExactly("early blocked 1000");
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofMillis(1000).toNanos());
    }

    @Test
    void aLongerPauseIsFoundOnceTheCallAheadOfItIsHalfTheSmallerThresholdOld() {
        Named early = new Named("early");       // paused 900 ms before its ticket
        clock.advance(Duration.ofMillis(900));
        begin("later", false);
        tracker.begin(early);
        clock.advance(Duration.ofMillis(499));
        tracker.run();
        assertThat(expired).as("the call ahead is 499 ms old: the walk stops there").isEmpty();

        clock.advance(Duration.ofMillis(1));
        tracker.run();
        assertThat(expired).containsExactly("early blocked 1400");
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofMillis(1400).toNanos());
    }

    @Test
    void aYoungCallFromBeforeTheLastSuccessDoesNotHideTheWaitOfAnUnmarkedAnswerBehindIt() {
        // A rollback (Y) waits from 0 to 600 ms; a query succeeds at 10; then one failure, a connection that takes
        // 350 ms and is answered without a mark, and another failure: one run, bridged by the connection's wait.
        begin("rollback", true);
        clock.advance(Duration.ofMillis(2));
        Named query = begin("query", true);
        clock.advance(Duration.ofMillis(8));
        tracker.succeeded(clock.nanoTime());
        tracker.answer(query);
        clock.advance(Duration.ofMillis(10));
        blockThenFail("first", 10);                                      // 20 to 30
        clock.advance(Duration.ofMillis(10));
        Named connect = begin("connect", false);                         // 40 to 390
        for (int tick = 100; tick <= 300; tick += 100) {
            clock.advance(Duration.ofMillis(tick == 100 ? 60 : 100));
            tracker.run();
        }
        clock.advance(Duration.ofMillis(90));
        tracker.answer(connect);                                         // answered at 390, no mark
        clock.advance(Duration.ofMillis(10));
        tracker.run();                                                   // 400
        clock.advance(Duration.ofMillis(50));
        blockThenFail("second", 10);                                     // 450 to 460
        clock.advance(Duration.ofMillis(40));
        tracker.run();                                                   // 500
        assertThat(tracker.failingRunNanos()).as("from the first failure's start to the second's end")
                .isEqualTo(Duration.ofMillis(440).toNanos());
    }

    @Test
    void withEveryAnswerMarkedAYoungCallFromBeforeTheLastSuccessEndsTheWalk() {
        for (boolean marked : new boolean[] {false, true}) {
            CallTracker t = new CallTracker("t", clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), 16, marked);
            expired.clear();
            Named paused = new Named("paused");  // read the clock, then paused 900 ms before its ticket
            clock.advance(Duration.ofMillis(900));
            Named young = new Named("young");
            t.begin(young);
            clock.advance(Duration.ofMillis(50));
            t.succeeded(clock.nanoTime());       // young began before this success
            t.begin(paused);
            clock.advance(Duration.ofMillis(50)); // paused: 1000 ms old, at its block threshold; young: 100 ms
            t.run();
            assertThat(expired).as("marked: %s", marked).isEqualTo(marked ? List.of() : List.of("paused blocked 1000"));
            clock.advance(Duration.ofMillis(400)); // young: 500 ms
            t.run();
            assertThat(expired).as("marked: %s", marked).hasSize(1).first().asString().startsWith("paused blocked");
        }
    }

    @Test
    void anAnsweredCallAheadNoLongerHoldsTheWalkBack() {
        Named early = new Named("early");
        clock.advance(Duration.ofMillis(900));
        Named later = begin("later", true);
        tracker.begin(early);
        tracker.returned(early);
        tracker.answer(later);
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofMillis(900).toNanos());
    }

    /** A call that blocks for {@code millis} and then fails in a way that counts; the clock ends at its failure. */
    private Named blockThenFail(String name, long millis) {
        Named call = begin(name, false);
        clock.advance(Duration.ofMillis(millis));
        tracker.failed(call, clock.nanoTime());
        tracker.answer(call);
        return call;
    }

    @Test
    void callsThatEachBlockUntilTheyFailMakeARunEvenThoughNoneStaysUnanswered() {
        // One caller, every send blocking for max.block.ms (1900 ms here, under the 2 s threshold) and then failing.
        blockThenFail("first", 1_900);
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).as("nothing pending").isEqualTo(-1);
        assertThat(tracker.failingRunNanos()).isEqualTo(Duration.ofMillis(1_900).toNanos());
        clock.advance(Duration.ofMillis(20));   // the caller comes back
        begin("second", false);
        clock.advance(Duration.ofMillis(100));
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).as("the pending one is young").isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(tracker.failingRunNanos()).as("first's start to now").isEqualTo(Duration.ofMillis(2_020).toNanos());
    }

    @Test
    void aSingleCallThatBlockedForTheThresholdAndFailedIsARunOfThatLength() {
        blockThenFail("late", 2_000);
        tracker.run();
        assertThat(tracker.failingRunNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
        tracker.run();
        assertThat(tracker.failingRunNanos()).as("no new failure and nothing pending: the run is over").isEqualTo(-1);
    }

    @Test
    void aSuccessEndsTheRun() {
        blockThenFail("first", 1_500);
        tracker.run();
        Named ok = begin("ok", true);
        clock.advance(Duration.ofMillis(10));
        tracker.succeeded(clock.nanoTime());
        tracker.answer(ok);
        blockThenFail("second", 1_000);
        tracker.run();
        assertThat(tracker.failingRunNanos()).as("only the failure after the success").isEqualTo(Duration.ofMillis(1_000).toNanos());
    }

    @Test
    void aPauseLongerThanTheGapStartsANewRun() {
        blockThenFail("first", 1_500);
        tracker.run();
        clock.advance(Duration.ofMillis(CallTracker.RUN_GAP_MILLIS + 1));
        blockThenFail("second", 1_000);
        tracker.run();
        assertThat(tracker.failingRunNanos()).isEqualTo(Duration.ofMillis(1_000).toNanos());
        clock.advance(Duration.ofMillis(CallTracker.RUN_GAP_MILLIS));
        blockThenFail("third", 1_000);
        tracker.run();
        assertThat(tracker.failingRunNanos()).as("within the gap: the run goes on")
                .isEqualTo(Duration.ofMillis(2_000 + CallTracker.RUN_GAP_MILLIS).toNanos());
    }

    @Test
    void failuresThatAreNotMarkedDoNotMakeARun() {
        Named call = begin("caller error", false);
        clock.advance(Duration.ofSeconds(3));
        tracker.answer(call);   // answered without being marked as failed: a success or a failure that does not count
        tracker.run();
        assertThat(tracker.failingRunNanos()).isEqualTo(-1);
    }

    @Test
    void aFailureSeenAgainAtALaterCheckIsNotNewEvidence() {
        Named stuck = begin("stuck", true);   // holds the cursor back, so the failed ones behind it are walked again
        clock.advance(Duration.ofMillis(10));
        blockThenFail("failed", 1_000);
        tracker.run();
        assertThat(tracker.failingRunNanos()).isEqualTo(Duration.ofMillis(1_010).toNanos());
        tracker.succeeded(clock.nanoTime());
        clock.advance(Duration.ofMillis(500));
        tracker.run();
        assertThat(tracker.failingRunNanos()).as("stuck began before the success, failed was counted once").isEqualTo(-1);
        assertThat(tracker.answer(stuck)).isTrue();
    }

    @Test
    void callsAnsweredWithErrorsThatDoNotCountEndTheRunThoughTheyWerePendingAtTicks() {
        for (int i = 0; i < 100; i++) {
            Named call = begin("caller error " + i, false);
            clock.advance(Duration.ofMillis(30));
            tracker.run();                          // a tick while the call runs: pending, it is in the run for now
            tracker.neutral(clock.nanoTime());      // answered with the caller's own error
            tracker.answer(call);
            tracker.run();
            assertThat(tracker.failingRunNanos()).as("after call %d", i).isLessThan(Duration.ofMillis(100).toNanos());
        }
    }

    @Test
    void aNeutralAnswerEndsTheRunButNotTheOldestPendingCheck() {
        Named stuck = begin("stuck", true);
        clock.advance(Duration.ofMillis(100));
        tracker.neutral(clock.nanoTime());
        clock.advance(Duration.ofMillis(1900));
        tracker.run();
        assertThat(tracker.oldestPendingAgeNanos(clock.nanoTime())).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(tracker.failingRunNanos()).as("stuck began before the neutral answer").isEqualTo(-1);
        tracker.answer(stuck);
    }

    /**
     * Calls in line ({@link TrackerLimits#inLine()}), as a producer's records in its buffer: a call is late once it has
     * waited its threshold (1 s blocked, 2 s unanswered) since it began and since a call begun before it last succeeded.
     * The watchdog runs every 100 ms, as it does in the library; answers are marked as the producers mark them.
     */
    @Nested
    class InLine {

        private static CallTracker tracker(ManualClock clock, boolean inLine) {
            TrackerLimits limits = new TrackerLimits(clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), 64, true);
            return new CallTracker("line", inLine ? limits.inLine() : limits);
        }

        private Named begin(CallTracker tracker, String name, boolean returned) {
            Named call = new Named(name);
            tracker.begin(call);
            if (returned) {
                tracker.returned(call);
            }
            return call;
        }

        private void succeed(CallTracker tracker, TrackedCall call) {
            tracker.succeeded(call, clock.nanoTime());
            tracker.answer(call);
        }

        /** Moves the clock by {@code millis} in the watchdog's 100 ms ticks, checking at each. */
        private void ticks(CallTracker tracker, long millis) {
            for (long m = 0; m < millis; m += 100) {
                clock.advanceMillis(100);
                tracker.run();
            }
        }

        /**
         * Twenty records sent at once, answered one every 200 ms in order: the last waits 4 s, the cluster answering
         * all the while. With {@code checkEachBegin}, the watchdog checks after each begins (the ring grows to hold them
         * all); without, all twenty begin within one check, more than the first ring holds. Returns what expired.
         */
        private List<String> backlogOfTwenty(CallTracker tracker, boolean checkEachBegin) {
            List<Named> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(begin(tracker, "r" + i, true));
                if (checkEachBegin) {
                    tracker.run();
                }
            }
            for (Named call : calls) {
                ticks(tracker, 200);
                succeed(tracker, call);
            }
            ticks(tracker, 100);
            return List.copyOf(expired);
        }

        @Test
        void aBacklogThatMovesExpiresNothingInLineThoughEveryCallWaitsLongerThanTheThreshold() {
            assertThat(backlogOfTwenty(tracker(clock, true), true)).isEmpty();
        }

        @Test
        void aBacklogLargerThanTheFirstRingMovesTheLineOfTheCallsWatchedBehindTheOnesNotWatched() {
            assertThat(backlogOfTwenty(tracker(clock, true), false)).isEmpty();
        }

        @Test
        void withoutALineTheSameBacklogExpiresEveryCallStillWaitingAtTwoSeconds() {
            // r9 is answered at 2.0 s, just after that check: r9 to r19 expire then.
            List<String> expiries = backlogOfTwenty(tracker(clock, false), true);
            assertThat(expiries).hasSize(11).first().isEqualTo("r9 unanswered 2000");
        }

        @Test
        void aLineThatStopsExpiresTheCallsStillInItTheThresholdAfterItsLastMove() {
            CallTracker tracker = tracker(clock, true);
            List<Named> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(begin(tracker, "r" + i, true));
            }
            ticks(tracker, 600);
            for (int i = 0; i < 3; i++) {   // answered at 700, 800 and 900 ms; then the cluster stops
                ticks(tracker, 100);
                succeed(tracker, calls.get(i));
            }
            ticks(tracker, 1_900);   // 2.8 s: 1.9 s since the line last moved (the check at 1.0 s saw the move at 0.9)
            assertThat(expired).isEmpty();
            ticks(tracker, 100);     // 2.9 s: 2 s since it moved
            assertThat(expired).containsExactly("r3 unanswered 2900", "r4 unanswered 2900", "r5 unanswered 2900");
        }

        @Test
        void aMoveWhileACallIsYoungerThanHalfTheThresholdMayGoUnseenSoItExpiresAtMostThatMuchEarly() {
            // A check ends its walk at the first young call that waits (so that it does not visit a whole burst each time):
            // a call behind it does not see its line move then. Seen here: r2 behind r1, both 0.2 s old at the last move.
            CallTracker tracker = tracker(clock, true);
            Named r0 = begin(tracker, "r0", true);
            begin(tracker, "r1", true);
            begin(tracker, "r2", true);
            ticks(tracker, 200);
            succeed(tracker, r0);
            ticks(tracker, 1_900);
            assertThat(expired).containsExactly("r2 unanswered 2000");
            ticks(tracker, 200);
            assertThat(expired).containsExactly("r2 unanswered 2000", "r1 unanswered 2200");
        }

        @Test
        void aCallWithNothingBeforeItIsTimedFromItsStartAsWithoutALine() {
            CallTracker tracker = tracker(clock, true);
            succeed(tracker, begin(tracker, "earlier", true));   // answered before the next begins: one caller waiting on each
            ticks(tracker, 500);
            begin(tracker, "alone", true);
            ticks(tracker, 1_900);
            assertThat(expired).isEmpty();
            ticks(tracker, 100);
            assertThat(expired).containsExactly("alone unanswered 2000");
        }

        @Test
        void successesOfCallsBegunAfterItDoNotMoveItsLine() {
            CallTracker tracker = tracker(clock, true);
            begin(tracker, "stuck", true);   // its partition's leader is gone; the others answer
            for (int i = 0; i < 19; i++) {
                ticks(tracker, 100);
                succeed(tracker, begin(tracker, "other" + i, true));
            }
            assertThat(expired).isEmpty();
            ticks(tracker, 100);
            assertThat(expired).containsExactly("stuck unanswered 2000");
        }

        @Test
        void aSendBlockedBehindAMovingLineIsNotLateButIsOnceTheLineStops() {
            CallTracker tracker = tracker(clock, true);
            List<Named> ahead = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ahead.add(begin(tracker, "r" + i, true));
            }
            begin(tracker, "waiting for buffer space", false);
            for (int i = 0; i < 4; i++) {   // answered every 400 ms: the send stays blocked 1.6 s, longer than its threshold
                ticks(tracker, 400);
                succeed(tracker, ahead.get(i));
            }
            assertThat(expired).isEmpty();
            ticks(tracker, 1_000);   // nothing moved for the block threshold: the records ahead are late too by now
            assertThat(expired).contains("waiting for buffer space blocked 2600");
        }

        @Test
        void aWaitingCallKeepsItsLinesMoveOnceTheCallThatMovedItLeavesTheRing() {
            CallTracker tracker = tracker(clock, true);
            Named first = begin(tracker, "first", true);
            Named second = begin(tracker, "second", true);
            ticks(tracker, 1_500);
            succeed(tracker, first);
            ticks(tracker, 100);   // the cursor passes "first" and releases its slot
            ticks(tracker, 1_800);   // 3.4 s since "second" began, 1.9 s since "first" succeeded
            assertThat(expired).isEmpty();
            ticks(tracker, 100);
            assertThat(expired).containsExactly("second unanswered 3500");
        }

        @Test
        void aLineLimitsIsACopyWithTheSameThresholds() {
            TrackerLimits limits = new TrackerLimits(clock::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(2), 64, true);
            TrackerLimits inLine = limits.inLine();
            assertThat(inLine.answerNanos()).isEqualTo(limits.answerNanos());
            assertThat(inLine.inLine).isTrue();
            assertThat(limits.inLine).isFalse();
            assertThat(inLine.inLine()).isSameAs(inLine);
        }
    }
}
