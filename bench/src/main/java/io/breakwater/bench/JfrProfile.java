package io.breakwater.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A Flight Recorder profile of some work in this JVM (the clients; the broker has a JVM of its own): where the CPU
 * samples fall (thread and top frame, and the first Breakwater frame on the stack) and what is allocated where.
 */
final class JfrProfile {

    /** The top entries of each view, as lines "share · what". */
    record Summary(Path file, long cpuSamples, List<String> cpu, List<String> breakwater, List<String> allocation) {
    }

    private static final int TOP = 10;

    private JfrProfile() {
    }

    /**
     * Starts and stops a first recording. Flight Recorder's first start in a JVM redefines its own event classes, and the
     * JIT drops compilations under way and code that depends on them: a profile taken across that start samples code
     * running interpreted or at C1 while C2 compiles it again. Called before the work to be profiled has run.
     */
    static void prime() throws java.io.IOException, java.text.ParseException {
        try (Recording first = new Recording(Configuration.getConfiguration("profile"))) {   // the events a profile enables
            first.start();
            first.stop();
        }
    }

    /** Runs {@code work} under a recording (JDK's "profile" settings, CPU sampled each ms) kept in {@code file}, and sums it up. */
    static Summary record(Path file, Work work) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            // A sample every millisecond (the settings take one every 10 ms): a few seconds of work give thousands.
            recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(1));
            recording.start();
            work.run();
            recording.stop();
            recording.dump(file);
        }
        return summarize(file);
    }

    /** Work to profile. */
    interface Work {
        void run() throws Exception;
    }

    static Summary summarize(Path file) throws IOException {
        Map<String, Long> cpu = new HashMap<>();
        Map<String, Long> breakwater = new HashMap<>();
        Map<String, Long> allocation = new HashMap<>();
        long samples = 0;
        long allocated = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                String thread = e.getThread("sampledThread") == null ? "?" : threadKind(e.getThread("sampledThread").getJavaName());
                cpu.merge(thread + " · " + frame(stack.getFrames().get(0)), 1L, Long::sum);
                stack.getFrames().stream().filter(f -> f.getMethod().getType().getName().startsWith("io.breakwater."))
                        .findFirst().ifPresent(f -> breakwater.merge(frame(f), 1L, Long::sum));
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long weight = e.getLong("weight");
                allocated += weight;
                String what = e.getClass("objectClass") == null ? "?" : e.getClass("objectClass").getName();
                allocation.merge(what + " · " + allocationSite(stack), weight, Long::sum);
            }
        }
        return new Summary(file, samples, top(cpu, samples), top(breakwater, samples), top(allocation, allocated));
    }

    /** The frame that allocated, past the JDK's and Kafka's collection and buffer helpers where it can. */
    private static String allocationSite(RecordedStackTrace stack) {
        return stack.getFrames().stream().filter(f -> !f.getMethod().getType().getName().startsWith("java."))
                .findFirst().map(JfrProfile::frame).orElse(frame(stack.getFrames().get(0)));
    }

    private static String frame(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    /** A thread's name without its number: "kafka-producer-network-thread | producer-3" and "-7" alike. */
    private static String threadKind(String name) {
        return name == null ? "?" : name.replaceAll("[-_ ]?\\d+$", "").replaceAll("producer-\\d+", "producer-N");
    }

    private static List<String> top(Map<String, Long> counts, long total) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(TOP)
                .map(e -> String.format(Locale.ROOT, "%.1f %% · %s", 100.0 * e.getValue() / Math.max(1, total), e.getKey()))
                .collect(Collectors.toList());
    }

    /** The summary as Markdown, for the report. */
    static void report(StringBuilder md, String variant, Summary s) {
        md.append("#### Profile of ").append(variant).append(" (`").append(s.file()).append("`, ").append(s.cpuSamples())
                .append(" CPU samples of this JVM)\n\n");
        md.append("Top frames by CPU (thread · method):\n\n");
        s.cpu().forEach(l -> md.append("- ").append(l).append('\n'));
        md.append("\nSamples by their first Breakwater frame (share of all samples):\n\n");
        s.breakwater().forEach(l -> md.append("- ").append(l).append('\n'));
        md.append("\nAllocation by weight (class · site):\n\n");
        s.allocation().forEach(l -> md.append("- ").append(l).append('\n'));
        md.append('\n');
    }
}
