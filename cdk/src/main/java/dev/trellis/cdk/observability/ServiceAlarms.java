package dev.trellis.cdk.observability;

import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.constructs.Construct;

/**
 * A service's alarms, on its proxies' series ({@link ProxyMetrics}): success rate under a
 * threshold and p99 latency over one (two of three minutes must breach; no traffic is not an
 * alarm), and a mesh certificate with less than {@value #CERTIFICATE_WARNING_HOURS} hours left —
 * proxies renew at two thirds of a 24 h lifetime, so this fires only when renewals have been
 * failing (the CA is unreachable) for hours, still hours before any handshake fails. Construct
 * ids: {@code SuccessRateAlarm}, {@code LatencyAlarm}, {@code CertificateExpiryAlarm}.
 */
public final class ServiceAlarms {

    private final Alarm successRate;
    private final Alarm latency;
    private final Alarm certificateExpiry;

    /** Hours left on a mesh certificate under which the certificate alarm fires. */
    public static final int CERTIFICATE_WARNING_HOURS = 6;

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
        certificateExpiry = Alarm.Builder.create(scope, "CertificateExpiryAlarm")
                .alarmDescription("A mesh certificate of " + service + " expires within " + CERTIFICATE_WARNING_HOURS
                        + " h: its proxies cannot renew (is the mesh CA reachable?)")
                .metric(metrics.certificateExpiry())
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .threshold(CERTIFICATE_WARNING_HOURS * 3600)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
    }

    public Alarm successRateAlarm() {
        return successRate;
    }

    public Alarm latencyAlarm() {
        return latency;
    }

    public Alarm certificateExpiryAlarm() {
        return certificateExpiry;
    }
}
