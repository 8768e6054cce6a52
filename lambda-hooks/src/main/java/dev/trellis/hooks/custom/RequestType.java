package dev.trellis.hooks.custom;

/** What CloudFormation asks a custom resource to do. */
public enum RequestType {
    CREATE("Create"),
    UPDATE("Update"),
    DELETE("Delete");

    private final String wireName;

    RequestType(String wireName) {
        this.wireName = wireName;
    }

    /** The name CloudFormation sends, such as {@code Create}. */
    public String wireName() {
        return wireName;
    }
}
