package org.pohmelfs.gateway.admin.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pohmelfs.gateway.admin.AdminViews;

/**
 * What the admin command line prints, as pure functions of the admin API's answers: the table
 * of members and the progress bar of a resyncing node. No clock: a rate is what the node's own
 * figures give (bytes done over the time since its resync began, both from the node).
 */
public final class AdminRender {
    /** Width of a progress bar, in cells. */
    static final int BAR = 30;

    private AdminRender() {
    }

    /** The members as a table, one row each, in map order. */
    public static String table(AdminViews.Nodes nodes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "ADDRESS", "STATE", "AUTHORITY", "LIVE", "USED", "AVAILABLE", "RESYNC"});
        for (AdminViews.Node n : nodes.nodes()) {
            rows.add(new String[] {
                n.id(), n.address(), n.state(), n.authority() ? "yes" : "",
                n.live() == null ? "?" : n.live() ? "yes" : "no",
                n.usage() == null ? "-" : bytes(n.usage().usedBytes()),
                n.usage() == null ? "unreachable" : bytes(n.usage().availableBytes()),
                n.resync() == null ? "" : percent(n.resync().fraction()) + " " + n.resync().phase()
            });
        }
        int[] width = new int[rows.getFirst().length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("map epoch ").append(nodes.epoch()).append(", lock authority ").append(nodes.authority())
                .append(nodes.changeable() ? "" : " (static node list: membership cannot change)").append('\n');
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : pad(r[i], width[i] + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /**
     * One resyncing node's line: {@code node4 [#######.......] 25.0% 1.0 MiB of 4.0 MiB, 10 of 40 objects,
     * 200 KiB/s, ETA 0:15 (COPYING from node1)}. Without progress published yet: waiting.
     */
    public static String progress(String node, AdminViews.Progress p) {
        if (p == null) {
            return node + " [" + " ".repeat(BAR) + "] waiting for the node to publish its progress";
        }
        double f = Math.max(0, Math.min(1, p.fraction()));
        int filled = (int) Math.floor(f * BAR);
        StringBuilder b = new StringBuilder();
        b.append(node).append(" [").append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ")
                .append(percent(f)).append(' ')
                .append(bytes(p.bytesDone())).append(" of ").append(bytes(p.bytesDone() + p.bytesLeft())).append(", ")
                .append(p.objectsDone()).append(" of ").append(p.objectsDone() + p.objectsLeft()).append(" objects");
        long elapsed = p.updatedAt() - p.startedAt();
        if (elapsed > 0 && p.bytesDone() > 0) {
            double perSecond = p.bytesDone() * 1000.0 / elapsed;
            b.append(", ").append(bytes((long) perSecond)).append("/s, ETA ")
                    .append(duration(Math.round(p.bytesLeft() / perSecond)));
        } else if (elapsed > 0 && p.objectsDone() > 0 && p.bytesDone() + p.bytesLeft() == 0) {
            double perSecond = p.objectsDone() * 1000.0 / elapsed;
            b.append(", ").append(String.format(Locale.ROOT, "%.1f", perSecond)).append(" objects/s, ETA ")
                    .append(duration(Math.round(p.objectsLeft() / perSecond)));
        } else {
            b.append(", ETA unknown");
        }
        b.append(" (").append(p.phase()).append(p.source().isEmpty() ? "" : " from " + p.source()).append(')');
        return b.toString();
    }

    /** The progress lines of every RESYNCING member; empty when none is. */
    public static List<String> progress(AdminViews.Nodes nodes) {
        return nodes.nodes().stream().filter(n -> n.state().equals("RESYNCING"))
                .map(n -> progress(n.id(), n.resync())).toList();
    }

    /** 1023 B, 1.0 KiB, 12.5 MiB, 3.0 GiB, ... */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String percent(double f) {
        return String.format(Locale.ROOT, "%.1f%%", f * 100);
    }

    /** m:ss, or h:mm:ss from an hour on. */
    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
