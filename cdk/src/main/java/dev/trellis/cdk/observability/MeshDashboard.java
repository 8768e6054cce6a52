package dev.trellis.cdk.observability;

import java.util.List;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.constructs.Construct;

/**
 * One CloudWatch dashboard per mesh with the golden signals of each service in a row: requests,
 * success rate and p99 latency as its own proxies see them, retries and ejections as its callers'
 * proxies see them ({@link ProxyMetrics}). Construct id of the dashboard: {@code Dashboard}.
 */
public final class MeshDashboard extends Construct {

    private final Dashboard dashboard;

    public MeshDashboard(Construct scope, String id, MeshDashboardProps props) {
        super(scope, id);
        String meshName = props.meshName();
        String metricsNamespace = props.metricsNamespace();
        dashboard = Dashboard.Builder.create(this, "Dashboard")
                .dashboardName("trellis-" + meshName)
                .build();
        dashboard.addWidgets(TextWidget.Builder.create()
                .markdown("# Mesh " + meshName + "\nGolden signals per service, from its proxies"
                        + " (metric namespace `" + metricsNamespace + "`).")
                .width(24).height(2).build());
    }

    /** Adds the service's row. */
    public void addService(String service, ProxyMetrics metrics) {
        dashboard.addWidgets(
                graph(service + ": requests", metrics.requests()),
                graph(service + ": success rate", metrics.successRate()),
                graph(service + ": p99 latency", metrics.p99()),
                graph(service + ": retries", metrics.retries()),
                graph(service + ": ejections", metrics.ejections()));
    }

    public Dashboard dashboard() {
        return dashboard;
    }

    private static GraphWidget graph(String title, IMetric metric) {
        return GraphWidget.Builder.create().title(title).left(List.of(metric)).width(4).height(6).build();
    }
}
