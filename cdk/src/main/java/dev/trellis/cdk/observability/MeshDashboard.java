package dev.trellis.cdk.observability;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.constructs.Construct;

/**
 * One CloudWatch dashboard per mesh with the golden signals of each service in a row: requests,
 * success rate, p99 latency, retries and ejections, summed over the service's routes and
 * clusters. Construct id of the dashboard: {@code Dashboard}.
 */
public final class MeshDashboard extends Construct {

    private final Dashboard dashboard;
    private final String namespace;

    public MeshDashboard(Construct scope, String id, MeshDashboardProps props) {
        super(scope, id);
        String meshName = props.meshName();
        String metricsNamespace = props.metricsNamespace();
        this.namespace = metricsNamespace;
        dashboard = Dashboard.Builder.create(this, "Dashboard")
                .dashboardName("trellis-" + meshName)
                .build();
        dashboard.addWidgets(TextWidget.Builder.create()
                .markdown("# Mesh " + meshName + "\nGolden signals per service, as its callers' proxies see it"
                        + " (metric namespace `" + metricsNamespace + "`).")
                .width(24).height(2).build());
    }

    /** Adds the service's row. */
    public void addService(String service) {
        IMetric requests = expression(service + " requests",
                "SUM(" + ProxyMetrics.search(namespace, ProxyMetrics.REQUESTS, service, "Sum", true) + ")");
        IMetric successRate = expression(service + " success rate (%)",
                "100 * (1 - FILL(SUM(" + ProxyMetrics.search(namespace, ProxyMetrics.ERRORS, service, "Sum", true)
                        + "), 0) / SUM(" + ProxyMetrics.search(namespace, ProxyMetrics.REQUESTS, service, "Sum", true) + "))");
        IMetric p99 = expression(service + " p99 (ms)", "MAX(" + ProxyMetrics.searchP99(namespace, service) + ")");
        IMetric retries = expression(service + " retries",
                "SUM(" + ProxyMetrics.search(namespace, ProxyMetrics.RETRIES, service, "Sum", true) + ")");
        IMetric ejections = expression(service + " ejections",
                "SUM(" + ProxyMetrics.search(namespace, ProxyMetrics.EJECTIONS, service, "Sum", false) + ")");
        dashboard.addWidgets(
                graph(service + ": requests", requests),
                graph(service + ": success rate", successRate),
                graph(service + ": p99 latency", p99),
                graph(service + ": retries", retries),
                graph(service + ": ejections", ejections));
    }

    public Dashboard dashboard() {
        return dashboard;
    }

    private static IMetric expression(String label, String expression) {
        return MathExpression.Builder.create()
                .expression(expression)
                .usingMetrics(Map.of())
                .label(label)
                .period(Duration.minutes(1))
                .build();
    }

    private static GraphWidget graph(String title, IMetric metric) {
        return GraphWidget.Builder.create().title(title).left(List.of(metric)).width(4).height(6).build();
    }
}
