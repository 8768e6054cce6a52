package dev.trellis.spec.internal;

import dev.trellis.spec.CallerRule;
import dev.trellis.spec.Durations;
import dev.trellis.spec.HeaderMatch;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.QueryMatch;
import dev.trellis.spec.RetryEvent;
import dev.trellis.spec.RetryPolicy;
import dev.trellis.spec.RouteMatch;
import dev.trellis.spec.RouteSpec;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.spec.SpecProblem;
import dev.trellis.spec.Timeouts;
import dev.trellis.spec.WeightedTarget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * What a schema cannot say: references between services and versions, weights, unique names,
 * regular expressions that compile, and settings that contradict each other.
 */
public final class SemanticCheck {

    private final List<SpecProblem> problems = new ArrayList<>();

    private SemanticCheck() {
    }

    public static List<SpecProblem> check(MeshSpec spec) {
        SemanticCheck check = new SemanticCheck();
        check.mesh(spec);
        return check.problems;
    }

    private void mesh(MeshSpec spec) {
        Set<String> serviceNames = new HashSet<>();
        for (ServiceSpec service : spec.services()) {
            if (service.name() != null && !serviceNames.add(service.name())) {
                problem("services[" + service.name() + "]", "a second service named " + service.name(),
                        "unique service names");
            }
        }
        for (int i = 0; i < spec.services().size(); i++) {
            ServiceSpec service = spec.services().get(i);
            service(SpecPaths.service(service.name(), i), service, serviceNames);
        }
    }

    private void service(String path, ServiceSpec service, Set<String> serviceNames) {
        Set<String> versions = new HashSet<>();
        for (String version : service.versions()) {
            if (!versions.add(version)) {
                problem(path + ".versions", version + " twice", "unique versions");
            }
        }
        String versionList = String.join(", ", service.versions());
        retry(path + ".retry", service.retry(), service.timeouts());

        Set<String> routeNames = new HashSet<>();
        for (int r = 0; r < service.routes().size(); r++) {
            RouteSpec route = service.routes().get(r);
            String routePath = path + ".routes[" + r + "]";
            if (route.name() != null && !routeNames.add(route.name())) {
                problem(routePath + ".name", route.name(), "a name no other route of " + service.name() + " has");
            }
            targets(routePath + ".targets", route.targets(), versions, versionList);
            match(routePath + ".match", route.match(), service);
            if (route.retry() != null) {
                Timeouts timeouts = route.timeouts() != null ? route.timeouts() : service.timeouts();
                retry(routePath + ".retry", route.retry(), timeouts);
            }
            if (route.mirror() != null && route.mirror().version() != null
                    && !versions.contains(route.mirror().version())) {
                problem(routePath + ".mirror.version", route.mirror().version(), "one of " + versionList);
            }
        }
        if (service.allowedCallers() != null) {
            for (int c = 0; c < service.allowedCallers().size(); c++) {
                CallerRule caller = service.allowedCallers().get(c);
                if (caller.service() != null && !serviceNames.contains(caller.service())) {
                    problem(path + ".allowedCallers[" + c + "].service", caller.service(),
                            "a service of this mesh: " + String.join(", ", sorted(serviceNames)));
                }
            }
        }
    }

    private void targets(String path, List<WeightedTarget> targets, Set<String> versions, String versionList) {
        int sum = 0;
        Set<String> seen = new HashSet<>();
        for (int t = 0; t < targets.size(); t++) {
            WeightedTarget target = targets.get(t);
            sum += target.weight();
            if (target.version() != null && !versions.contains(target.version())) {
                problem(path + "[" + t + "].version", target.version(), "one of " + versionList);
            }
            if (target.version() != null && !seen.add(target.version())) {
                problem(path + "[" + t + "].version", target.version() + " twice", "each version once per route");
            }
        }
        if (!targets.isEmpty() && sum == 0) {
            problem(path, "weights sum to 0", "> 0");
        }
    }

    private void match(String path, RouteMatch match, ServiceSpec service) {
        if (!service.protocol().isHttp()) {
            if (!match.equals(RouteMatch.ANY) && !match.equals(new RouteMatch(null, null, null, null, null, null))) {
                problem(path, "a request match", "no match for a tcp service (only targets)");
            }
            return;
        }
        List<String> pathConditions = new ArrayList<>();
        if (match.pathPrefix() != null) {
            pathConditions.add("pathPrefix");
        }
        if (match.path() != null) {
            pathConditions.add("path");
        }
        if (match.pathRegex() != null) {
            pathConditions.add("pathRegex");
            regex(path + ".pathRegex", match.pathRegex());
        }
        if (pathConditions.size() > 1) {
            problem(path, String.join(" and ", pathConditions), "at most one of pathPrefix, path, pathRegex");
        }
        for (int h = 0; h < match.headers().size(); h++) {
            HeaderMatch header = match.headers().get(h);
            String headerPath = path + ".headers[" + h + "]";
            int conditions = count(header.exact(), header.prefix(), header.regex(), header.present());
            if (conditions != 1) {
                problem(headerPath, conditions + " conditions", "exactly one of exact, prefix, regex, present");
            }
            if (header.regex() != null) {
                regex(headerPath + ".regex", header.regex());
            }
        }
        for (int q = 0; q < match.query().size(); q++) {
            QueryMatch query = match.query().get(q);
            String queryPath = path + ".query[" + q + "]";
            int conditions = count(query.exact(), query.regex(), query.present());
            if (conditions != 1) {
                problem(queryPath, conditions + " conditions", "exactly one of exact, regex, present");
            }
            if (query.regex() != null) {
                regex(queryPath + ".regex", query.regex());
            }
        }
    }

    private void retry(String path, RetryPolicy retry, Timeouts timeouts) {
        if (retry.perTryTimeout() != null && retry.perTryTimeout().compareTo(timeouts.request()) > 0) {
            problem(path + ".perTryTimeout", Durations.format(retry.perTryTimeout()),
                    "<= the request timeout " + Durations.format(timeouts.request()));
        }
        if (retry.backoff().base().compareTo(retry.backoff().max()) > 0) {
            problem(path + ".backoff.max", Durations.format(retry.backoff().max()),
                    ">= backoff.base " + Durations.format(retry.backoff().base()));
        }
        if (retry.on().contains(RetryEvent.RETRIABLE_STATUS_CODES) && retry.statusCodes().isEmpty()) {
            problem(path + ".statusCodes", "an empty list", "at least one status when retrying on retriable-status-codes");
        }
    }

    private void regex(String path, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            problem(path, regex, "a valid regular expression (" + e.getDescription() + ")");
        }
    }

    private static int count(Object... values) {
        int n = 0;
        for (Object value : values) {
            if (value != null) {
                n++;
            }
        }
        return n;
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().collect(Collectors.toList());
    }

    private void problem(String path, String found, String expected) {
        problems.add(new SpecProblem(path, found, expected));
    }
}
