package org.pohmelfs.gateway.ops;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One PromQL expression of a dashboard panel or an alert rule, and the form Prometheus can
 * evaluate: Grafana's variables replaced ({@code $__rate_interval}, {@code $__range},
 * {@code $__interval}, and every dashboard variable by {@code .+}, what "All" selects).
 *
 * @param source where it comes from: {@code file/panel title/refId} or {@code file/alert name}
 * @param name   the panel's title or the alert's name
 * @param expr   the expression as written
 */
record Query(String source, String name, String expr) {
    /** The scrape interval of the test's Prometheus is 2 s: at least four scrapes, as Grafana's rule. */
    static final String RATE_INTERVAL = "10s";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

    /** The expression with Grafana's variables replaced. */
    String promql() {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "__rate_interval" -> RATE_INTERVAL;
                case "__range" -> "5m";
                case "__interval" -> "2s";
                default -> ".+";
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        return m.appendTail(sb).toString();
    }

    @Override
    public String toString() {
        return source + ": " + expr;
    }

    /** Every target expression of every panel (rows' nested panels too) of every dashboard in {@code dir}. */
    static List<Query> fromDashboards(Path dir) throws IOException {
        List<Query> queries = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode dashboard = JsonMapper.builder().build().readTree(f.toFile());
                collect(f.getFileName().toString(), dashboard.path("panels"), queries);
                for (JsonNode v : dashboard.path("templating").path("list")) {
                    if (v.path("type").asString().equals("query")) {
                        queries.add(variable(f.getFileName() + "/$" + v.path("name").asString(),
                                v.path("definition").asString()));
                    }
                }
            }
        }
        return queries;
    }

    private static void collect(String file, JsonNode panels, List<Query> into) {
        for (JsonNode panel : panels) {
            for (JsonNode t : panel.path("targets")) {
                into.add(new Query(file + "/" + panel.path("title").asString() + "/" + t.path("refId").asString(),
                        panel.path("title").asString(), t.path("expr").asString()));
            }
            collect(file, panel.path("panels"), into);
        }
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");

    /** A variable {@code label_values(series, label)}: the series must exist and carry the label. */
    static Query variable(String source, String definition) {
        Matcher m = LABEL_VALUES.matcher(definition);
        if (!m.matches()) {
            throw new IllegalArgumentException(source + ": only label_values(series, label) is understood: " + definition);
        }
        return new Query(source, source, "count by (" + m.group(2) + ") (" + m.group(1) + ")");
    }

    /** Every alert rule's expression. */
    @SuppressWarnings("unchecked")
    static List<Query> fromAlerts(Path file) throws IOException {
        Map<String, Object> doc;
        try (Reader r = Files.newBufferedReader(file)) {
            doc = new Yaml().load(r);
        }
        List<Query> queries = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String name = (String) (rule.containsKey("alert") ? rule.get("alert") : rule.get("record"));
                queries.add(new Query(file.getFileName() + "/" + name, name, ((String) rule.get("expr")).strip()));
            }
        }
        return queries;
    }
}
