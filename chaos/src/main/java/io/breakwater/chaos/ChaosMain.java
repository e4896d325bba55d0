package io.breakwater.chaos;

import java.io.PrintStream;

/**
 * {@code chaos/run [--minutes N] [--seed S] ...}: one run on a 3-node cluster of forked brokers (see
 * {@link ChaosRun}). Exit code 0 when every check passed and the run met its {@link Minimums}, 1 when not (the
 * offending ids and the missed minimums are printed, the history is kept), 2 for bad options. One run per JVM: the
 * breakers of the wrapped and the intercepted producer live in the global registry under fixed names
 * ({@code chaos-wrapper-blocking}, ...).
 */
public final class ChaosMain {

    private ChaosMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            out.print(ChaosOptions.USAGE);
            return 0;
        }
        ChaosOptions options;
        try {
            options = ChaosOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(ChaosOptions.USAGE);
            return 2;
        }
        ChaosRun.Result result = new ChaosRun(options, out).run();
        out.println();
        out.print(result.summary());
        out.println();
        if (result.passed()) {
            out.println("PASSED: every check. Summary: " + result.dir().resolve("RESULTS.md")
                    + (options.results() != null ? " and " + options.results() : ""));
            return 0;
        }
        out.println("FAILED. Offending ids:");
        Report.offenders(result.check()).forEach(out::println);
        result.problems().forEach(p -> out.println("problem: " + p));
        result.unmet().forEach(m -> out.println("minimum not met: " + m));
        out.println("History kept in " + result.dir() + "; run this schedule again with: " + options.command());
        return 1;
    }
}
