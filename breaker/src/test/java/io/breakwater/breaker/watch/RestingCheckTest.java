package io.breakwater.breaker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RestingCheckTest {

    private final Rounds rounds = new Rounds();

    /** Idle when told so; counts its ticks. */
    private final class Switch extends RestingCheck {
        boolean idle;
        int ticks;

        Switch() {
            super(rounds);
        }

        @Override
        protected void tick() {
            ticks++;
        }

        @Override
        protected boolean idle() {
            return idle;
        }
    }

    private void tickAll() {
        assertThat(rounds.tick()).isNull();
    }

    @Test
    void aCheckStaysInTheRoundsWhileBusyLeavesThemWhenIdleAndComesBackWhenWoken() {
        Switch check = new Switch();
        check.start();
        assertThat(rounds.count(check)).isOne();

        tickAll();
        tickAll();
        assertThat(check.ticks).isEqualTo(2);
        assertThat(check.awake()).isTrue();

        check.idle = true;
        tickAll();
        assertThat(rounds.count(check)).as("idle after its tick: out of the rounds").isZero();
        assertThat(check.awake()).isFalse();
        tickAll();
        assertThat(check.ticks).as("not ticked while out").isEqualTo(3);

        check.idle = false;
        check.wake();
        check.wake();
        assertThat(rounds.count(check)).isOne();
        tickAll();
        assertThat(check.ticks).isEqualTo(4);
    }

    @Test
    void everyWokenCheckRunsOnceATickAndTheBusyOnesStayWhenTheListMustGrow() {
        Switch[] checks = new Switch[40];   // more than the list's first 16 places
        for (int i = 0; i < checks.length; i++) {
            checks[i] = new Switch();
            checks[i].idle = i % 2 == 1;
            checks[i].start();
        }
        tickAll();
        tickAll();
        for (int i = 0; i < checks.length; i++) {
            Switch check = checks[i];
            assertThat(check.ticks).as("check %d", i).isEqualTo(check.idle ? 1 : 2);
            assertThat(rounds.count(check)).as("check %d", i).isEqualTo(check.idle ? 0 : 1);
        }
        checks[1].idle = false;
        checks[1].wake();
        checks[0].idle = true;
        tickAll();
        assertThat(checks[1].ticks).isEqualTo(2);
        assertThat(rounds.count(checks[1])).isOne();
        assertThat(checks[0].ticks).isEqualTo(3);
        assertThat(rounds.count(checks[0])).isZero();
    }

    @Test
    void aCheckThatRestsInItsTickAndIsWokenAgainDuringTheSameTickRunsOnceThenAgainNextTick() {
        // The bug: the stack was taken after the list ran, so a check of the list that rested and was woken again before
        // then (here by a check behind it in the list) ran a second time in that tick.
        Switch rester = new Switch();
        RestingCheck waker = new RestingCheck(rounds) {
            @Override
            protected void tick() {
                rester.wake();
            }

            @Override
            protected boolean idle() {
                return false;
            }
        };
        waker.start();
        rester.start();   // pushed last: first in the list, ahead of the waker
        tickAll();
        assertThat(rester.ticks).isOne();

        rester.idle = true;   // it rests in its next tick, and the waker wakes it right after
        tickAll();
        assertThat(rester.ticks).as("once in this tick").isEqualTo(2);
        assertThat(rounds.count(rester)).as("woken again: in the rounds for the next tick").isOne();
        tickAll();
        assertThat(rester.ticks).isEqualTo(3);
    }

    @Test
    void aClosedCheckLeavesTheRoundsAndNoWakeBringsItBack() {
        Switch awake = new Switch();
        awake.start();
        awake.close();
        tickAll();
        assertThat(awake.ticks).as("closed before its first tick").isZero();
        assertThat(rounds.count(awake)).isZero();
        awake.wake();
        assertThat(rounds.count(awake)).isZero();
        assertThat(awake.awake()).isFalse();

        Switch resting = new Switch();
        resting.idle = true;
        resting.start();
        tickAll();
        assertThat(rounds.count(resting)).isZero();
        resting.close();
        resting.close();
        resting.wake();
        assertThat(rounds.count(resting)).isZero();
    }

    @Test
    void theWatchdogTicksAnIdleCheckOnceThenItRests() {
        AtomicInteger ticks = new AtomicInteger();
        RestingCheck check = new RestingCheck() {
            @Override
            protected void tick() {
                ticks.incrementAndGet();
            }

            @Override
            protected boolean idle() {
                return true;
            }
        };
        check.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> !check.awake());
        assertThat(ticks).hasValue(1);
        check.wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> !check.awake());
        assertThat(ticks).as("woken: ticked once more").hasValue(2);
        check.close();
    }

    @Test
    void aCheckThatThrowsStaysInTheRoundsAndTheOthersStillTick() {
        Switch healthy = new Switch();
        RestingCheck failing = new RestingCheck(rounds) {
            @Override
            protected void tick() {
                throw new IllegalStateException("a check's own bug");
            }

            @Override
            protected boolean idle() {
                return true;
            }
        };
        failing.start();
        healthy.start();
        tickAll();
        tickAll();
        assertThat(healthy.ticks).isEqualTo(2);
        assertThat(rounds.count(failing)).isOne();
        assertThat(failing.awake()).isTrue();
    }

    @Test
    void aVirtualMachineErrorIsReturnedAfterTheOtherChecksTickedAndItsCheckStays() {
        Switch healthy = new Switch();
        RestingCheck fatal = new RestingCheck(rounds) {
            @Override
            protected void tick() {
                throw new StackOverflowError("a check's own recursion");
            }

            @Override
            protected boolean idle() {
                return true;
            }
        };
        fatal.start();
        healthy.start();
        assertThat(rounds.tick()).isInstanceOf(StackOverflowError.class);
        assertThat(healthy.ticks).isOne();
        assertThat(rounds.count(fatal)).isOne();
    }

    @Test
    void aCheckWhoseSecondLookThrowsIsInTheRoundsOnceAndAwake() {
        int[] looks = {0};
        RestingCheck flaky = new RestingCheck(rounds) {
            @Override
            protected void tick() {
            }

            @Override
            protected boolean idle() {
                if (++looks[0] == 2) {
                    throw new IllegalStateException("the second look fails");
                }
                return true;
            }
        };
        flaky.start();
        tickAll();
        assertThat(flaky.awake()).as("a look that throws counts as busy").isTrue();
        flaky.wake();
        assertThat(rounds.count(flaky)).isOne();
        tickAll();
        assertThat(flaky.awake()).isFalse();
        assertThat(rounds.count(flaky)).isZero();
    }
}
