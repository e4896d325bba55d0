package io.breakwater.breaker.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RestingCheckTest {

    private final Set<Runnable> rounds = ConcurrentHashMap.newKeySet();

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
        rounds.forEach(Runnable::run);
    }

    @Test
    void aCheckStaysInTheRoundsWhileBusyLeavesThemWhenIdleAndComesBackWhenWoken() {
        Switch check = new Switch();
        check.start();
        assertThat(rounds).containsExactly(check);

        tickAll();
        tickAll();
        assertThat(check.ticks).isEqualTo(2);
        assertThat(check.awake()).isTrue();

        check.idle = true;
        tickAll();
        assertThat(rounds).as("idle after its tick: out of the rounds").isEmpty();
        assertThat(check.awake()).isFalse();
        tickAll();
        assertThat(check.ticks).as("not ticked while out").isEqualTo(3);

        check.idle = false;
        check.wake();
        check.wake();
        assertThat(rounds).containsExactly(check);
        tickAll();
        assertThat(check.ticks).isEqualTo(4);
    }

    @Test
    void aClosedCheckLeavesTheRoundsAndNoWakeBringsItBack() {
        Switch awake = new Switch();
        awake.start();
        awake.close();
        assertThat(rounds).isEmpty();
        awake.wake();
        assertThat(rounds).isEmpty();
        assertThat(awake.awake()).isFalse();

        Switch resting = new Switch();
        resting.idle = true;
        resting.start();
        tickAll();
        assertThat(rounds).isEmpty();
        resting.close();
        resting.close();
        resting.wake();
        assertThat(rounds).isEmpty();
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
}
