package dev.trellis.cloudmap.registrar;

/** What {@link CloudMapRegistrar#register} did. */
public enum Registration {
    /** The instance did not exist and was registered. */
    CREATED,
    /** The instance existed with other attributes and was replaced. */
    UPDATED,
    /** The instance already had these attributes: no write was made. */
    UNCHANGED
}
