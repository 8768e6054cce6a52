package dev.trellis.cdk.observability;

import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.constructs.Construct;

/**
 * A service's two alarms, on its proxies' inbound series ({@link ProxyMetrics}): success rate
 * under a threshold, p99 latency over one; two of three minutes must breach. No traffic is not
 * an alarm. Construct ids: {@code SuccessRateAlarm}, {@code LatencyAlarm}.
 */
public final class ServiceAlarms {

    private final Alarm successRate;
    private final Alarm latency;

    public ServiceAlarms(Construct scope, ProxyMetrics metrics, String service, double successRatePercent,
                         double p99Milliseconds) {
        successRate = Alarm.Builder.create(scope, "SuccessRateAlarm")
                .alarmDescription("Success rate of " + service + " under " + successRatePercent + " %")
                .metric(metrics.successRate())
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .threshold(successRatePercent)
                .evaluationPeriods(3)
                .datapointsToAlarm(2)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        latency = Alarm.Builder.create(scope, "LatencyAlarm")
                .alarmDescription("p99 latency of " + service + " over " + p99Milliseconds + " ms")
                .metric(metrics.p99())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .threshold(p99Milliseconds)
                .evaluationPeriods(3)
                .datapointsToAlarm(2)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
    }

    public Alarm successRateAlarm() {
        return successRate;
    }

    public Alarm latencyAlarm() {
        return latency;
    }
}
