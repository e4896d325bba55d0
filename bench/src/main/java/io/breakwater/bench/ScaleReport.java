package io.breakwater.bench;

import java.util.Locale;

/** The scale part's section of the report, and its targets. */
final class ScaleReport {

    private ScaleReport() {
    }

    static void report(StringBuilder md, Scale.Results r, Targets t) {
        md.append("## Scale: many streams in one EventBus\n\n");
        md.append(String.format(Locale.ROOT, "%,d streams (stream breakers) in one EventBus over a `MockProducer` that acknowledges "
                + "at once, so the figures are the bus's. Heap: used heap after full GCs, before and after making them, ÷ "
                + "their number; once for breakers alone (a registry of the EventBus's channel preset), once for the streams of "
                + "a bus (each with its channel, send tracker, breaker and watchdog check), and once more after each stream "
                + "published one event and was answered (its send tracker's ring is made by its first publish). The watchdog: its "
                + "thread's CPU time over 2 s once every stream is idle again. Making the %,d streams took %.1f s. "
                + "Registry look-up: `getOrCreate` of an existing name, at random among them. publishStream: the caller's time per "
                + "call, to streams at random, %,d calls per repetition in batches of %,d (each answered before the next), "
                + "median of %d repetitions with their spread. Control: the floor of finding a stream's state among as many "
                + "at random, without any library (a `ConcurrentHashMap` look-up of the name, as the bus's own, and one write to "
                + "1 KiB made per stream, as much as a stream holds, each look-up after the last), as many calls, the median of as "
                + "many repetitions. CPU per publish: each thread's CPU time over a repetition ÷ its publishes (the caller's "
                + "inside its calls; the sender thread makes each record, hands it to the mock and hears its "
                + "answer; the watchdog visits each stream that published since its last tick), the median of the "
                + "repetitions; the machine has %d cores.%n%n", r.streams(), r.streams(),
                r.creationSeconds(),
                r.publishesPerRepetition(), Scale.BATCH, Scale.REPETITIONS, Runtime.getRuntime().availableProcessors()));
        md.append("| figure | value |\n|---|---|\n");
        md.append(String.format(Locale.ROOT, "| heap per breaker (registry only) | %.0f bytes |%n", r.bytesPerBreaker()));
        md.append(String.format(Locale.ROOT, "| heap per idle stream of an EventBus | %.0f bytes |%n", r.bytesPerStream()));
        md.append(String.format(Locale.ROOT, "| heap per stream of an EventBus that published once and is idle again | %.0f bytes |%n",
                r.bytesPerPublishedStream()));
        md.append(String.format(Locale.ROOT, "| watchdog thread's CPU while the %,d streams are idle | %.2f %% of a core |%n",
                r.streams(), 100 * r.watchdogShare()));
        md.append(String.format(Locale.ROOT, "| registry look-up among %,d | %.1f ns |%n%n", r.streams(), r.lookupNanos()));
        md.append("| streams | publishStream, ns per call (median) | spread | control: look-up and one write, ns "
                + "| CPU per publish, ns: caller | sender thread | watchdog |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Scale.Publish p : r.publishes()) {
            md.append(String.format(Locale.ROOT, "| %,d | %.0f | %.0f – %.0f | %.0f | %.0f | %.0f | %.0f |%n", p.streams(),
                    p.medianNanos(), p.lowNanos(), p.highNanos(), p.controlNanos(), p.cpu().callerNanos(),
                    p.cpu().senderNanos(), p.cpu().watchdogNanos()));
        }
        md.append('\n');
        t.atMost("≤ 1 KiB of heap per idle stream breaker (a stream of the EventBus, all it holds)", r.bytesPerStream(), 1024,
                "bytes", String.format(Locale.ROOT, "%.0f bytes (breaker alone: %.0f)", r.bytesPerStream(), r.bytesPerBreaker()));
        t.atMost("≤ 1 KiB of heap per idle stream breaker once the stream has published", r.bytesPerPublishedStream(), 1024,
                "bytes", String.format(Locale.ROOT, "%.0f bytes", r.bytesPerPublishedStream()));
        Scale.Publish fewest = r.publishes().get(0);
        Scale.Publish most = r.publishes().get(r.publishes().size() - 1);
        t.add(String.format(Locale.ROOT, "publishStream cost flat from %,d to %,d streams (the median at %,d within the spread "
                        + "at %,d, or below it)", fewest.streams(), most.streams(), most.streams(), fewest.streams()),
                String.format(Locale.ROOT, "%.0f ns vs %.0f ns (%.0f – %.0f); the control's look-up and write, no library: "
                                + "%.0f ns vs %.0f ns", most.medianNanos(), fewest.medianNanos(), fewest.lowNanos(),
                        fewest.highNanos(), most.controlNanos(), fewest.controlNanos()), most.medianNanos() <= fewest.highNanos(),
                String.format(Locale.ROOT, "by %.0f ns", most.medianNanos() - fewest.highNanos()));
    }
}
