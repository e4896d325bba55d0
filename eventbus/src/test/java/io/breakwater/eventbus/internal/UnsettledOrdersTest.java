package io.breakwater.eventbus.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class UnsettledOrdersTest {

    @Test
    void theLowestIsTheNextOrderWhileNothingIsUnsettled() {
        UnsettledOrders orders = new UnsettledOrders(1_000);
        assertThat(orders.isEmpty()).isTrue();
        assertThat(orders.lowest()).isEqualTo(1_000);
        long first = orders.admit();
        long second = orders.admit();
        assertThat(first).isEqualTo(1_000);
        assertThat(second).isEqualTo(1_001);
        orders.settle(second);
        assertThat(orders.lowest()).as("the first is still in flight").isEqualTo(1_000);
        orders.settle(first);
        assertThat(orders.isEmpty()).isTrue();
        assertThat(orders.lowest()).isEqualTo(1_002);
    }

    @Test
    void startingAboveAHeldOrderMovesTheNextOrderUpButNeverDown() {
        UnsettledOrders orders = new UnsettledOrders(1_000);
        orders.startAbove(Long.MIN_VALUE);
        orders.startAbove(500);
        assertThat(orders.lowest()).as("an order below the clock's changes nothing").isEqualTo(1_000);
        orders.startAbove(5_000);
        assertThat(orders.lowest()).isEqualTo(5_001);
        assertThat(orders.admit()).isEqualTo(5_001);
        assertThat(orders.lowest()).isEqualTo(5_001);
        assertThatThrownBy(() -> orders.startAbove(9_000)).isInstanceOf(IllegalStateException.class)
                .hasMessage("orders were admitted already");
    }

    @Test
    void settlingAnOrderTwiceOrOneNeverAdmittedChangesNothing() {
        UnsettledOrders orders = new UnsettledOrders(5);
        long a = orders.admit();
        orders.admit();
        orders.settle(a);
        orders.settle(a);
        orders.settle(4);
        orders.settle(99);
        assertThat(orders.isEmpty()).isFalse();
        assertThat(orders.lowest()).isEqualTo(6);
    }

    @Test
    void oneEventLeftInFlightWhileThousandsPassItKeepsTheFloor() {
        UnsettledOrders orders = new UnsettledOrders(Long.MAX_VALUE / 2);
        long stuck = orders.admit();
        for (int i = 0; i < 100_000; i++) {
            orders.settle(orders.admit());
        }
        assertThat(orders.lowest()).isEqualTo(stuck);
        orders.settle(stuck);
        assertThat(orders.lowest()).isEqualTo(stuck + 100_001);
    }

    @Test
    void agreesWithASortedSetOnARandomWalk() {
        Random random = new Random(17);
        for (int walk = 0; walk < 50; walk++) {
            long start = random.nextLong(1L << 50);
            UnsettledOrders orders = new UnsettledOrders(start);
            TreeSet<Long> model = new TreeSet<>();
            List<Long> inFlight = new ArrayList<>();
            long next = start;
            for (int step = 0; step < 5_000; step++) {
                int burst = random.nextInt(10) == 0 ? 400 : 3;   // now and then far more in flight than the ring spans
                if (random.nextBoolean()) {
                    for (int i = 0; i < random.nextInt(burst); i++) {
                        long o = orders.admit();
                        assertThat(o).isEqualTo(next++);
                        model.add(o);
                        inFlight.add(o);
                    }
                } else if (!inFlight.isEmpty()) {
                    for (int i = 0; i < random.nextInt(burst) && !inFlight.isEmpty(); i++) {
                        long o = inFlight.remove(random.nextInt(inFlight.size()));
                        orders.settle(o);
                        model.remove(o);
                    }
                }
                assertThat(orders.isEmpty()).isEqualTo(model.isEmpty());
                assertThat(orders.lowest()).as("walk %d step %d", walk, step).isEqualTo(model.isEmpty() ? next : model.first());
            }
        }
    }
}
