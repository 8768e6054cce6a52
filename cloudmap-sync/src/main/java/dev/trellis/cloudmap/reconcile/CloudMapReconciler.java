package dev.trellis.cloudmap.reconcile;

import dev.trellis.aws.AwsClients;
import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.WorkloadKind;
import dev.trellis.cloudmap.ecs.EcsClusters;
import dev.trellis.cloudmap.ecs.EcsTask;
import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.ecs.EcsTaskStateChange;
import dev.trellis.cloudmap.ecs.MeshTask;
import dev.trellis.cloudmap.internal.AwsErrors;
import dev.trellis.cloudmap.internal.KeyValueLine;
import dev.trellis.cloudmap.reconcile.EventOutcome.Action;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cloudmap.registrar.RegisteredInstance;
import dev.trellis.cloudmap.registrar.Registration;
import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.naming.MeshPorts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Cloud Map instances of one mesh equal to its running ECS tasks.
 *
 * <p>{@link #reconcile()} is the anti-entropy round the controller runs periodically (see
 * {@link ReconcileLoop}): it reads the mesh's ECS-task instances from Cloud Map first, then the
 * tasks from ECS, registers what is missing, replaces what changed, sets health, and removes an
 * instance only after ECS confirms (DescribeTasks) that its task is stopping, gone, or no longer
 * in that service, so a task that started during the round is never removed by it.
 *
 * <p>{@link #onTaskStateChange} is the fast path for EventBridge "ECS Task State Change" events
 * (the Lambda hook and the controller use the same code): a task that begins to stop is
 * deregistered at once; a task that runs is registered. Duplicate and out-of-order events are
 * harmless: events older than one already handled (by {@code version}, else {@code updatedAt})
 * are ignored, a task seen stopping is never registered again, and every decision is checked
 * against DescribeTasks (so even a process with no memory of earlier events, such as a new Lambda
 * instance, does not re-register a stopped task on a late RUNNING event).
 *
 * <pre>{@code
 * CloudMapReconciler reconciler = CloudMapReconciler.builder()
 *         .registrar(CloudMapRegistrar.of(aws.serviceDiscovery()))
 *         .tasks(EcsTaskSource.builder().client(aws.ecs()).mesh("shop").clusters("prod").build())
 *         .build();
 * ReconcileResult result = reconciler.reconcile();
 * EventOutcome outcome = reconciler.onTaskStateChange(EcsTaskStateChange.parse(eventJson));
 * }</pre>
 *
 * <p>Only instances with {@code TRELLIS_WORKLOAD_KIND=ecs-task}, this mesh, and a task of a watched
 * cluster are touched, so controllers of other clusters, EKS pods and local workloads of the same
 * mesh are left alone. Thread-safe; rounds and events may run concurrently.
 */
public final class CloudMapReconciler {

    private static final Logger LOG = LoggerFactory.getLogger("dev.trellis.cloudmap.reconcile");
    private static final int MARK_LIMIT = 10_000;

    private final CloudMapRegistrar registrar;
    private final EcsTaskSource tasks;
    private final String mesh;
    private final int port;
    private final int eventAttempts;
    private final Backoff eventBackoff;
    /** The newest state seen per task ARN; access-ordered and bounded. */
    private final Map<String, TaskMark> marks = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TaskMark> eldest) {
            return size() > MARK_LIMIT;
        }
    };

    private CloudMapReconciler(Builder builder) {
        this.registrar = builder.registrar;
        this.tasks = builder.tasks;
        this.mesh = builder.tasks.mesh();
        this.port = builder.port;
        this.eventAttempts = builder.eventAttempts;
        this.eventBackoff = builder.eventBackoff;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The usual wiring: a reconciler for the mesh's ECS tasks in these clusters (names or ARNs),
     * writing to the mesh's namespace {@code <mesh>.local}, through the given clients (not closed
     * by the reconciler). For the controller and the Lambda hook alike.
     */
    public static CloudMapReconciler forEcs(AwsClients aws, String mesh, String... clusters) {
        return builder()
                .registrar(CloudMapRegistrar.of(aws.serviceDiscovery()))
                .tasks(EcsTaskSource.builder().client(aws.ecs()).mesh(mesh).clusters(clusters).build())
                .build();
    }

    /** The mesh this reconciler keeps. */
    public String mesh() {
        return mesh;
    }

    /**
     * One full round. Never throws for AWS errors: each failed step is listed in the result and
     * retried by the next round.
     */
    public ReconcileResult reconcile() {
        Round round = new Round();

        // 1. Cloud Map first: every instance read here was registered before the ECS scan below.
        Map<String, RegisteredInstance> actual = new LinkedHashMap<>();
        Set<String> services = new TreeSet<>();
        boolean cloudMapRead = round.attempt("list-services", mesh, () -> services.addAll(registrar.services(mesh)));
        for (String service : services) {
            round.attempt("list-instances", service, () -> registrar.instances(mesh, service).stream()
                    .filter(this::owned)
                    .forEach(instance -> actual.put(key(service, instance.instanceId()), instance)));
        }

        // 2. ECS: the mesh's tasks in every watched cluster.
        Map<String, MeshTask> desired = new LinkedHashMap<>();
        Set<String> scannedClusters = new HashSet<>();
        for (String cluster : tasks.clusters()) {
            round.attempt("scan-cluster", cluster, () -> {
                for (MeshTask task : tasks.scan(cluster)) {
                    if (task.task().stopping()) {
                        markStopping(task.task());
                    } else if (!knownStopping(task.task().taskArn())) {
                        desired.put(key(task.service(), task.instanceId()), task);
                    }
                }
                scannedClusters.add(EcsClusters.name(cluster));
            });
        }

        // 3. Register what is missing or changed; set health.
        for (Map.Entry<String, MeshTask> entry : desired.entrySet()) {
            converge(round, entry.getValue(), actual.get(entry.getKey()));
        }

        // 4. Remove instances whose task ECS confirms is stopping, gone or elsewhere.
        List<RegisteredInstance> extras = actual.entrySet().stream()
                .filter(e -> !desired.containsKey(e.getKey())).map(Map.Entry::getValue).toList();
        if (!extras.isEmpty()) {
            removeExtras(round, extras, scannedClusters);
        }

        boolean complete = cloudMapRead && round.failures.stream().noneMatch(f -> f.step().equals("list-instances")
                || f.step().equals("scan-cluster"));
        ReconcileResult result = round.result(complete);
        LOG.info(KeyValueLine.of("action", "reconcile", "mesh", mesh, "registered", result.registered(),
                "updated", result.updated(), "deregistered", result.deregistered(), "health", result.healthChanged(),
                "unchanged", result.unchanged(), "waiting", result.waiting(), "failures", result.failures().size(),
                "complete", result.complete()));
        return result;
    }

    private void converge(Round round, MeshTask task, RegisteredInstance current) {
        Optional<Workload> maybeWorkload;
        try {
            maybeWorkload = task.workload(port);
        } catch (IllegalArgumentException e) {
            round.fail("workload", task.task().taskArn(), e, false);
            return;
        }
        if (maybeWorkload.isEmpty()) {
            round.waiting++;
            return;
        }
        Workload workload = maybeWorkload.get();
        if (knownStopping(workload.workloadId())) {
            return; // an event said it is stopping after our scan; registering it now would revive it
        }
        if (current == null) {
            if (!workload.healthy()) {
                round.waiting++; // registered once healthy
                return;
            }
            round.attempt("register", workload.workloadId(), () -> round.count(registrar.register(workload)));
            return;
        }
        if (current.copies() > 1) {
            round.attempt("register", workload.workloadId(), () -> {
                registrar.removeAllCopies(mesh, workload.service(), workload.instanceId(), current.copies());
                registrar.register(workload);
                round.registered++;
            });
            return;
        }
        if (!current.attributes().equals(workload.attributes())) {
            round.attempt("register", workload.workloadId(), () -> round.count(registrar.register(workload)));
            return;
        }
        boolean registeredHealthy = !current.health().map("UNHEALTHY"::equals).orElse(false);
        if (current.health().isPresent() && registeredHealthy != workload.healthy()) {
            round.attempt("health", workload.workloadId(), () -> {
                registrar.setHealth(mesh, workload.service(), workload.instanceId(), workload.healthy());
                round.healthChanged++;
            });
            return;
        }
        round.unchanged++;
    }

    private void removeExtras(Round round, List<RegisteredInstance> extras, Set<String> scannedClusters) {
        Map<String, List<RegisteredInstance>> byTask = new LinkedHashMap<>();
        for (RegisteredInstance extra : extras) {
            byTask.computeIfAbsent(extra.attribute(CloudMapAttributes.WORKLOAD).orElse(""), k -> new ArrayList<>()).add(extra);
        }
        // Ask ECS about every extra's task, cluster by cluster; a cluster we could not scan is left alone.
        Map<String, EcsTask> now = new HashMap<>();
        Set<String> askedClusters = new HashSet<>();
        for (String cluster : tasks.clusters()) {
            String name = EcsClusters.name(cluster);
            if (!scannedClusters.contains(name)) {
                continue;
            }
            List<String> arns = byTask.keySet().stream()
                    .filter(arn -> EcsClusters.ofTaskArn(arn).map(name::equals).orElse(true)).toList();
            if (arns.isEmpty()) {
                continue;
            }
            round.attempt("describe-extras", cluster, () -> {
                for (EcsTask task : tasks.describe(cluster, arns)) {
                    now.put(task.taskArn(), task);
                }
                askedClusters.add(name);
            });
        }
        for (Map.Entry<String, List<RegisteredInstance>> entry : byTask.entrySet()) {
            String taskArn = entry.getKey();
            Optional<String> cluster = EcsClusters.ofTaskArn(taskArn);
            boolean asked = cluster.map(askedClusters::contains)
                    .orElse(askedClusters.size() == scannedClusters.size() && scannedClusters.size() == tasks.clusters().size());
            if (!asked) {
                continue;
            }
            EcsTask task = now.get(taskArn);
            Optional<MeshTask> member = Optional.empty();
            if (task != null && task.running()) {
                try {
                    member = tasks.membership(task);
                } catch (RuntimeException e) {
                    round.fail("describe-extras", taskArn, e, AwsErrors.retryable(e));
                    continue;
                }
            }
            if (task != null && task.stopping()) {
                markStopping(task);
            }
            for (RegisteredInstance extra : entry.getValue()) {
                boolean stillThere = member.map(m -> m.service().equals(extra.service())).orElse(false);
                if (stillThere) {
                    continue; // started after our scan; the next round registers or keeps it
                }
                String reason = task == null ? "task-gone" : task.stopping() ? "task-stopping"
                        : member.isPresent() ? "service-changed" : task.running() ? "left-mesh" : "not-running";
                round.attempt("deregister", taskArn, () -> {
                    if (registrar.removeAllCopies(mesh, extra.service(), extra.instanceId(), extra.copies(), reason) > 0) {
                        round.deregistered++; // else another controller or the Lambda was first
                    }
                });
            }
        }
    }

    /**
     * Handles one EventBridge "ECS Task State Change" event. Retryable AWS errors are retried
     * with backoff a few times in place; if they persist the last one is thrown, so that the
     * caller (a Lambda) fails and EventBridge delivers the event again. Nothing is remembered of
     * an event that failed, so its redelivery is handled in full.
     *
     * @throws RuntimeException the AWS SDK's exception when AWS keeps failing
     */
    public EventOutcome onTaskStateChange(EcsTaskStateChange change) {
        Objects.requireNonNull(change, "change");
        EcsTask reported = change.task();
        String taskArn = reported.taskArn();
        if (!tasks.watches(reported.clusterArn())) {
            return logged(new EventOutcome(Action.IGNORED_OTHER_CLUSTER, taskArn, "cluster " + reported.clusterName()), change);
        }
        Optional<String> stale = staleness(change);
        if (stale.isPresent()) {
            return logged(new EventOutcome(Action.IGNORED_STALE, taskArn, stale.get()), change);
        }
        for (int attempt = 1; ; attempt++) {
            try {
                EventOutcome outcome = handle(change);
                remember(change);
                return logged(outcome, change);
            } catch (RuntimeException e) {
                if (!AwsErrors.retryable(e) || attempt >= eventAttempts) {
                    LOG.warn(KeyValueLine.of("action", "task-event", "result", "failed", "mesh", mesh, "task", taskArn,
                            "attempts", attempt, "error", AwsErrors.describe(e)));
                    throw e;
                }
                sleep(eventBackoff.delay(attempt));
            }
        }
    }

    private EventOutcome handle(EcsTaskStateChange change) {
        EcsTask reported = change.task();
        String taskArn = reported.taskArn();
        // ECS's current view decides (it also has the tags events lack); the event fills in for a task ECS forgot.
        EcsTask current = tasks.describe(reported.clusterArn(), List.of(taskArn)).stream()
                .filter(t -> t.taskArn().equals(taskArn)).findFirst().orElse(reported);
        boolean stopping = reported.stopping() || current.stopping() || knownStopping(taskArn);
        Optional<MeshTask> member = tasks.membership(current);
        if (member.isEmpty()) {
            return new EventOutcome(Action.IGNORED_NOT_IN_MESH, taskArn, "no " + mesh + " mesh labels");
        }
        MeshTask task = member.get();
        if (stopping) {
            markStopping(current);
            boolean removed = registrar.deregister(mesh, task.service(), task.instanceId(), "task-stopping");
            return new EventOutcome(removed ? Action.DEREGISTERED : Action.UNCHANGED, taskArn,
                    "task " + current.lastStatus() + ", desired " + current.desiredStatus());
        }
        Optional<Workload> workload = task.workload(port);
        if (workload.isEmpty()) {
            return new EventOutcome(Action.WAITING, taskArn, current.running() ? "no ENI address" : "task " + current.lastStatus());
        }
        Workload w = workload.get();
        if (!w.healthy()) {
            if (registrar.registeredAttributes(mesh, w.service(), w.instanceId()).isEmpty()) {
                return new EventOutcome(Action.WAITING, taskArn, "unhealthy, not registered yet");
            }
            registrar.setHealth(mesh, w.service(), w.instanceId(), false);
            return new EventOutcome(Action.HEALTH_CHANGED, taskArn, "unhealthy");
        }
        Registration registration = registrar.register(w);
        if (registration == Registration.UNCHANGED) {
            if (current.healthStatus().isPresent()) {
                registrar.setHealth(mesh, w.service(), w.instanceId(), true); // it may have been UNHEALTHY
            }
            return new EventOutcome(Action.UNCHANGED, taskArn, "already registered");
        }
        return new EventOutcome(Action.REGISTERED, taskArn, registration.name().toLowerCase(java.util.Locale.ROOT));
    }

    private Optional<String> staleness(EcsTaskStateChange change) {
        EcsTask task = change.task();
        TaskMark mark;
        synchronized (marks) {
            mark = marks.get(task.taskArn());
        }
        if (mark == null) {
            return Optional.empty();
        }
        if (mark.stopping() && !task.stopping()) {
            return Optional.of("task already seen stopping");
        }
        if (task.version().isPresent() && mark.version().isPresent()) {
            return task.version().get() <= mark.version().get()
                    ? Optional.of("version " + task.version().get() + " <= " + mark.version().get())
                    : Optional.empty();
        }
        if (change.updatedAt().isPresent() && mark.updatedAt().isPresent()
                && change.updatedAt().get().isBefore(mark.updatedAt().get())) {
            return Optional.of("updatedAt " + change.updatedAt().get() + " < " + mark.updatedAt().get());
        }
        return Optional.empty();
    }

    private void remember(EcsTaskStateChange change) {
        EcsTask task = change.task();
        synchronized (marks) {
            TaskMark previous = marks.get(task.taskArn());
            marks.put(task.taskArn(), TaskMark.of(task, change.updatedAt()).merge(previous));
        }
    }

    private void markStopping(EcsTask task) {
        synchronized (marks) {
            TaskMark previous = marks.get(task.taskArn());
            marks.put(task.taskArn(), new TaskMark(Optional.empty(), Optional.empty(), true).merge(previous));
        }
    }

    private boolean knownStopping(String taskArn) {
        synchronized (marks) {
            TaskMark mark = marks.get(taskArn);
            return mark != null && mark.stopping();
        }
    }

    /** Whether an instance is one this reconciler manages: an ECS task of this mesh in a watched cluster. */
    private boolean owned(RegisteredInstance instance) {
        if (!instance.workloadKind().map(WorkloadKind.ECS_TASK.attributeValue()::equals).orElse(false)
                || !instance.attribute(CloudMapAttributes.MESH).map(mesh::equals).orElse(false)) {
            return false;
        }
        Optional<String> taskArn = instance.attribute(CloudMapAttributes.WORKLOAD);
        return taskArn.isPresent() && EcsClusters.ofTaskArn(taskArn.get()).map(tasks::watches).orElse(true);
    }

    private EventOutcome logged(EventOutcome outcome, EcsTaskStateChange change) {
        LOG.info(KeyValueLine.of("action", "task-event", "result", outcome.action().name().toLowerCase(java.util.Locale.ROOT),
                "mesh", mesh, "task", outcome.taskArn(), "lastStatus", change.task().lastStatus(),
                "desiredStatus", change.task().desiredStatus(), "version", change.task().version().orElse(null),
                "detail", outcome.detail()));
        return outcome;
    }

    private static String key(String service, String instanceId) {
        return service + "/" + instanceId;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }

    /** The newest version / update time seen of a task, and whether it was seen stopping (sticky). */
    private record TaskMark(Optional<Long> version, Optional<Instant> updatedAt, boolean stopping) {
        static TaskMark of(EcsTask task, Optional<Instant> updatedAt) {
            return new TaskMark(task.version(), updatedAt, task.stopping());
        }

        TaskMark merge(TaskMark previous) {
            if (previous == null) {
                return this;
            }
            return new TaskMark(max(version, previous.version), max(updatedAt, previous.updatedAt),
                    stopping || previous.stopping);
        }

        private static <T extends Comparable<T>> Optional<T> max(Optional<T> a, Optional<T> b) {
            if (a.isEmpty()) {
                return b;
            }
            if (b.isEmpty()) {
                return a;
            }
            return a.get().compareTo(b.get()) >= 0 ? a : b;
        }
    }

    /** Counts and failures of one round. */
    private final class Round {
        int registered;
        int updated;
        int deregistered;
        int healthChanged;
        int unchanged;
        int waiting;
        final List<ReconcileResult.Failure> failures = new ArrayList<>();

        boolean attempt(String step, String target, Runnable action) {
            try {
                action.run();
                return true;
            } catch (RuntimeException e) {
                fail(step, target, e, AwsErrors.retryable(e));
                return false;
            }
        }

        void fail(String step, String target, RuntimeException error, boolean retryable) {
            failures.add(new ReconcileResult.Failure(step, target, AwsErrors.describe(error), retryable));
            LOG.warn(KeyValueLine.of("action", step, "result", "failed", "mesh", mesh, "target", target,
                    "retryable", retryable, "error", AwsErrors.describe(error)));
        }

        void count(Registration registration) {
            switch (registration) {
                case CREATED -> registered++;
                case UPDATED -> updated++;
                case UNCHANGED -> unchanged++;
            }
        }

        ReconcileResult result(boolean complete) {
            return new ReconcileResult(registered, updated, deregistered, healthChanged, unchanged, waiting,
                    failures, complete);
        }
    }

    /** Builds a {@link CloudMapReconciler}; the registrar and the task source are required. */
    public static final class Builder {
        private CloudMapRegistrar registrar;
        private EcsTaskSource tasks;
        private int port = MeshPorts.INBOUND;
        private int eventAttempts = 4;
        private Backoff eventBackoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));

        private Builder() {
        }

        /** Where instances are written. Required. */
        public Builder registrar(CloudMapRegistrar registrar) {
            this.registrar = registrar;
            return this;
        }

        /** Which tasks belong to the mesh (and which mesh). Required. */
        public Builder tasks(EcsTaskSource tasks) {
            this.tasks = tasks;
            return this;
        }

        /** The port registered for every task: the proxy's inbound port, {@value MeshPorts#INBOUND} by default. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
            }
            this.port = port;
            return this;
        }

        /** Attempts per event on throttling and other retryable errors, 1 to 10; 4 by default. */
        public Builder eventAttempts(int eventAttempts) {
            if (eventAttempts < 1 || eventAttempts > 10) {
                throw new IllegalArgumentException("eventAttempts: " + eventAttempts + " (expected: 1..10)");
            }
            this.eventAttempts = eventAttempts;
            return this;
        }

        /** The backoff between an event's attempts; 100 ms doubling up to 2 s, full jitter, by default. */
        public Builder eventBackoff(Backoff eventBackoff) {
            this.eventBackoff = Objects.requireNonNull(eventBackoff, "eventBackoff");
            return this;
        }

        public CloudMapReconciler build() {
            if (registrar == null) {
                throw new IllegalArgumentException("registrar: null (expected: a CloudMapRegistrar)");
            }
            if (tasks == null) {
                throw new IllegalArgumentException("tasks: null (expected: an EcsTaskSource)");
            }
            return new CloudMapReconciler(this);
        }
    }
}
