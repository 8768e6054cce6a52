package dev.trellis.cli.up;

import dev.trellis.cli.traffic.TrafficGenerator.TrafficStats;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Draws the mesh status: in place on a terminal (the screen is redrawn each second), or as one
 * summary line every few seconds when the output is a file or a pipe.
 */
public final class LiveView implements Consumer<MeshStatus> {

    private static final String HOME_AND_CLEAR = "\033[H\033[2J";

    private final PrintStream out;
    private final boolean terminal;
    private long lines;

    public LiveView(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void accept(MeshStatus status) {
        if (terminal) {
            out.print(HOME_AND_CLEAR + render(status));
            out.flush();
        } else if (lines++ % 5 == 0) {
            TrafficStats t = status.traffic();
            out.printf(Locale.ROOT, "t=%.0fs requests=%d success=%.4f p50=%.1fms p99=%.1fms%n",
                    status.uptimeSeconds(), t.succeeded() + t.failed(), t.successRate(), t.p50Ms(), t.p99Ms());
        }
    }

    /** The whole screen as text. */
    public static String render(MeshStatus status) {
        StringBuilder s = new StringBuilder();
        TrafficStats t = status.traffic();
        s.append(String.format(Locale.ROOT, "Trellis local mesh '%s' — up %.0fs — Ctrl-C stops everything%n%n",
                status.mesh(), status.uptimeSeconds()));
        s.append(String.format(Locale.ROOT,
                "Client -> %s: %d requests, success %.2f%%, p50 %.1f ms, p99 %.1f ms (measured from the intended send time)%n",
                t.name(), t.succeeded() + t.failed(), 100 * t.successRate(), t.p50Ms(), t.p99Ms()));
        if (!t.failuresByStatus().isEmpty()) {
            s.append("  failures by status: ").append(t.failuresByStatus()).append(System.lineSeparator());
        }
        for (TrafficStats probe : status.probes()) {
            s.append(String.format(Locale.ROOT, "Probe %s: last status %d, %d allowed, %d refused%n",
                    probe.name(), probe.lastStatus(), probe.succeeded(), probe.failed()));
        }
        s.append(String.format(Locale.ROOT, "%n%-10s %-10s %-8s %-12s %8s %9s %8s %8s %8s %8s%n",
                "CALLER", "SERVICE", "ROUTE", "VERSION", "REQ/S", "SUCCESS", "P50 ms", "P99 ms", "RETRIES", "EJECTED"));
        for (MeshStatus.RouteStatus r : status.routes()) {
            if (r.requests() == 0) {
                continue;
            }
            s.append(String.format(Locale.ROOT, "%-10s %-10s %-8s %-12s %8.1f %8.2f%% %8.1f %8.1f %8d %8d%n",
                    r.caller(), r.service(), r.route(), r.cluster(), r.ratePerSecond(), 100 * r.successRate(),
                    r.p50Ms(), r.p99Ms(), r.retries(), r.ejections()));
        }
        s.append(String.format(Locale.ROOT, "%n%-16s %-8s %6s %7s %6s %-17s %8s%n",
                "INSTANCE", "VERSION", "APP", "PROXY", "READY", "SNAPSHOT", "SERVED"));
        for (MeshStatus.InstanceStatus i : status.instances()) {
            s.append(String.format(Locale.ROOT, "%-16s %-8s %6d %7d %6s %-17s %8d%n",
                    i.name(), i.version(), i.appPort(), i.inboundPort(), i.ready() ? "yes" : "no",
                    i.snapshotVersion() == null ? "-" : i.snapshotVersion(), i.served()));
        }
        s.append(String.format(Locale.ROOT,
                "%nEdit the spec file and save: the controller picks it up within seconds (try the orders split at 50/50).%n"));
        return s.toString();
    }
}
