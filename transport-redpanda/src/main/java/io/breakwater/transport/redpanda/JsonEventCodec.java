package io.breakwater.transport.redpanda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * JSON with Jackson, the default codec. The default mapper writes {@code java.time} values as ISO-8601
 * strings; pass your own {@link ObjectMapper} to change anything (it is used as it is).
 */
public final class JsonEventCodec implements EventCodec {

    private final ObjectMapper mapper;

    private JsonEventCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** A codec with a mapper that knows {@code java.time} and writes dates as ISO-8601 strings. */
    public static JsonEventCodec create() {
        return new JsonEventCodec(defaultMapper());
    }

    /** A codec with {@code mapper}, used as it is. */
    public static JsonEventCodec with(ObjectMapper mapper) {
        return new JsonEventCodec(Objects.requireNonNull(mapper, "mapper"));
    }

    /** The mapper {@link #create()} uses: {@code java.time} support, dates as ISO-8601 strings. */
    public static ObjectMapper defaultMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public byte[] encode(Object event) {
        try {
            return mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new SerializationException("could not write an event of type "
                    + (event == null ? "null" : event.getClass().getName()) + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public String contentType() {
        return "application/json";
    }
}
