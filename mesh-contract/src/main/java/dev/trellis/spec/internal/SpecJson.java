package dev.trellis.spec.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.trellis.spec.Durations;
import java.io.IOException;
import java.time.Duration;

/**
 * The one Jackson set-up for specs and snapshots: strict on input (unknown fields fail), stable
 * on output (sorted properties, nulls left out, durations as {@code 15s}).
 */
public final class SpecJson {

    private static final ObjectMapper JSON = configure(JsonMapper.builder()).build();

    private SpecJson() {
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static ObjectMapper yaml() {
        return Yaml.MAPPER;
    }

    /** Built on first use: a proxy reads only JSON and need not load SnakeYAML to start. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = configure(YAMLMapper.builder(
                YAMLFactory.builder()
                        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                        .build())).build();
    }

    private static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> B configure(B builder) {
        SimpleModule durations = new SimpleModule("trellis-durations");
        durations.addSerializer(Duration.class, new DurationSerializer());
        durations.addDeserializer(Duration.class, new DurationDeserializer());
        return builder
                .addModule(durations)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .serializationInclusion(JsonInclude.Include.NON_NULL);
    }

    private static final class DurationSerializer extends StdScalarSerializer<Duration> {
        DurationSerializer() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(Durations.format(value));
        }
    }

    private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                return (Duration) ctx.handleWeirdStringValue(Duration.class, text, e.getMessage());
            }
        }
    }
}
