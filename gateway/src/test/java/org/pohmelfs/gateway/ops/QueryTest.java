package org.pohmelfs.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The extraction and variable substitution {@link MonitoringQueriesTest} relies on (pure). */
class QueryTest {

    @Test
    void grafanaVariablesBecomeWhatPrometheusEvaluates() {
        Query q = new Query("d/p/A", "p",
                "sum by (node) (rate(x_total{node=~\"$node\", instance=~\"${instance}\"}[$__rate_interval])) / increase(y[$__range])");
        assertThat(q.promql()).isEqualTo(
                "sum by (node) (rate(x_total{node=~\".+\", instance=~\".+\"}[10s])) / increase(y[5m])");
        assertThat(new Query("a", "a", "up{job=\"x\"} == 1").promql()).isEqualTo("up{job=\"x\"} == 1");
    }

    @Test
    void labelValuesVariablesAreCheckedThroughTheirSeries() {
        assertThat(Query.variable("d/$node", "label_values(pohmelfs_gateway_replication_node_state, node)").expr())
                .isEqualTo("count by (node) (pohmelfs_gateway_replication_node_state)");
        assertThatThrownBy(() -> Query.variable("d/$x", "query_result(up)")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyPanelTargetAndVariableOfTheDashboardsIsFound() throws IOException {
        List<Query> queries = Query.fromDashboards(MonitoringQueriesTest.DASHBOARDS);
        assertThat(queries).extracting(Query::expr).allSatisfy(e -> assertThat(e).isNotBlank())
                .anyMatch(e -> e.contains("pohmelfs_gateway_cache_requests_total"))
                .anyMatch(e -> e.contains("http_server_requests_seconds_bucket"))
                .anyMatch(e -> e.contains("pohmelfs_node_resync_objects_left"))
                .anyMatch(e -> e.startsWith("count by (node)"));
        assertThat(queries).extracting(Query::source).doesNotHaveDuplicates();
    }

    @Test
    void everyAlertIsFound() throws IOException {
        assertThat(Query.fromAlerts(MonitoringQueriesTest.ALERTS)).extracting(Query::name).containsExactlyInAnyOrder(
                "PohmelfsNodeOutOfSync", "PohmelfsNodeNotServing", "PohmelfsInSyncSetSmall",
                "PohmelfsGatewayServingWithExpiredLeases", "PohmelfsGatewayErrorRate");
    }
}
