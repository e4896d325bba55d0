package io.breakwater.cli.internal;

import io.breakwater.status.FleetEntry;
import io.breakwater.status.StatusReader;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code breakwater status --watch}: the fleet table every {@code interval}. On a terminal it redraws in place, in the
 * demo's colours; elsewhere (a pipe, {@code --no-color}) it prints each table after the last, with the time.
 */
public final class FleetWatch {

    /** What to watch and how to show it. */
    public record Options(String where, boolean includeStopped, boolean redraw, boolean color, Duration interval) {
    }

    private final StatusReader reader;
    private final PrintWriter out;
    private final Options options;
    private final CountDownLatch stop = new CountDownLatch(1);

    public FleetWatch(StatusReader reader, PrintWriter out, Options options) {
        this.reader = reader;
        this.out = out;
        this.options = options;
    }

    /**
     * Shows the fleet until {@link #stop()}, an interrupt, or the output closes (a pipe whose reader ended, as
     * {@code | head} does: a {@code PrintWriter} keeps no error but its flag).
     */
    public void run() throws InterruptedException {
        do {
            draw(Instant.now());
        } while (!outputClosed(out) && !stop.await(options.interval().toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Whether {@code out} can no longer be written: its own error flag, or that of {@code System.out} under it (the
     * command line's writer is a {@code PrintWriter} over a writer over {@code System.out}, which keeps the error of a
     * closed pipe to itself).
     */
    public static boolean outputClosed(PrintWriter out) {
        return out.checkError() || System.out.checkError();
    }

    public void stop() {
        stop.countDown();
    }

    private void draw(Instant now) {
        List<FleetEntry> all = reader.fleetEntries(true);
        List<FleetEntry> fleet = FleetTable.shown(all, options.includeStopped());
        long instances = fleet.stream().map(FleetEntry::instance).distinct().count();
        long stale = fleet.stream().filter(e -> e.presence() == FleetEntry.Presence.STALE).count();
        String state = reader.state() == StatusReader.State.LIVE ? ""
                : "   reader " + reader.state() + reader.lastError().map(e -> ": " + e).orElse("");
        if (options.redraw()) {
            out.print(Ansi.HOME_AND_CLEAR);
        }
        out.println(Ansi.bold("Breakwater fleet", options.color()) + "   " + options.where() + "   "
                + now.truncatedTo(ChronoUnit.SECONDS) + "   " + instances + " instance(s), " + fleet.size() + " breaker(s)"
                + (stale > 0 ? ", " + stale + " stale" : "") + state);
        out.println();
        FleetTable.lines(all, options.includeStopped(), now, options.color()).forEach(out::println);
        if (!options.redraw()) {
            out.println();
        }
        out.flush();
    }
}
