package dev.trellis.proxy.accesslog;

/** The access log when it is turned off. */
final class DisabledAccessLog implements AccessLog {

    static final DisabledAccessLog INSTANCE = new DisabledAccessLog();

    private DisabledAccessLog() {
    }

    @Override
    public void log(AccessLogEntry entry) {
    }

    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public long dropped() {
        return 0;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "AccessLog{off}";
    }
}
